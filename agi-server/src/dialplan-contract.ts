/**
 * The contract between asterisk-config's dialplan and this server (design §4), in one place so
 * that it is greppable: the channel variables we set and the AGI query parameters the dialplan
 * passes. Changing a name here means changing asterisk-config/ too.
 */

export const DialplanVariable = {
  /** What the dialplan does next: `dial` | `hangup`. Empty means "use the static fallback". */
  action: 'SB_ACTION',
  /** A validated Dial() target list such as `PJSIP/100&PJSIP/101`. */
  dial: 'SB_DIAL',
  /** Ring timeout for Dial(), in seconds. */
  timeout: 'SB_TIMEOUT',
  /** Q.850 cause for Hangup() when the action is `hangup` (1 = unallocated number -> SIP 404). */
  hangupCause: 'SB_HANGUP_CAUSE',
  /** Why the server could not serve the session (`capacity`, `handler-error`, …). */
  agiError: 'SB_AGI_ERROR',
} as const;

export const DialplanAction = {
  dial: 'dial',
  hangup: 'hangup',
} as const;
export type DialplanAction = (typeof DialplanAction)[keyof typeof DialplanAction];

/** Query parameters of `AGI(agi://host/inbound?…)`, each value URIENCODE()d by the dialplan. */
export const InboundQuery = {
  /** The dialled number (Request-URI user, ${EXTEN}). */
  did: 'did',
  /** Twilio's X-Twilio-CallSid header, empty when the INVITE had none. */
  callSid: 'callsid',
  /** ${CHANNEL(linkedid)}: one id for every channel of the call. */
  linkedId: 'linkedid',
} as const;

/** Script names the dialplan calls (`agi_network_script`). */
export const AgiScript = {
  inbound: 'inbound',
} as const;
