/**
 * The contract between asterisk-config's dialplan and this server (see docs/dialplan-agi.md), in one place so
 * that it is greppable: the channel variables we set and the AGI query parameters the dialplan
 * passes. Changing a name here means changing asterisk-config/templates/extensions.conf too.
 */

export const DialplanVariable = {
  /** What the dialplan does next: `dial` | `voicemail` | `hangup`. Empty: the static fallback. */
  action: 'SB_ACTION',
  /** A validated Dial() target list such as `PJSIP/100&PJSIP/101`. */
  dial: 'SB_DIAL',
  /** Ring timeout for Dial(), in seconds. */
  timeout: 'SB_TIMEOUT',
  /** Dial() options (letters only). */
  options: 'SB_OPTIONS',
  /** VoiceMail() box, `100@default`. */
  mailbox: 'SB_MAILBOX',
  /** Caller-ID name for the phones (route prefix + caller's name); empty: leave as is. */
  callerIdName: 'SB_CALLERID_NAME',
  /** Where the call is in its plan: route id, plan (open/closed/holiday), attempt index. */
  route: 'SB_ROUTE',
  plan: 'SB_PLAN',
  step: 'SB_STEP',
  /** The routing configuration version the decision came from. */
  version: 'SB_VERSION',
  /** Q.850 cause for Hangup() (1 -> 404, 17 -> 486, 19 -> 480, 34 -> 503). */
  hangupCause: 'SB_HANGUP_CAUSE',
  /** For a rejection: busy | congestion | announcement. */
  reject: 'SB_REJECT',
  /** Sound file played before hanging up an `announcement` rejection. */
  announcement: 'SB_ANNOUNCEMENT',
  /** Why the call ends (unknown-did, rejected, plan-end, answered, not-advanced). */
  reason: 'SB_REASON',
  /** Why the server could not serve the session (`capacity`, `handler-error`, …). */
  agiError: 'SB_AGI_ERROR',
  /** Outbound: the owned number to present as caller ID (empty: leave the caller ID as is). */
  callerIdNumber: 'SB_CALLERID_NUM',
  /** Outbound: the calling extension and what it dialled, handed back to `next` for failover. */
  extension: 'SB_EXTENSION',
  number: 'SB_NUMBER',
  /** IVR menu (SB_ACTION=menu): Read()'s prompt, maxdigits, attempts and timeout (docs/menus.md). */
  menuPrompt: 'SB_MENU_PROMPT',
  menuDigits: 'SB_MENU_DIGITS',
  menuTries: 'SB_MENU_TRIES',
  menuTimeout: 'SB_MENU_TIMEOUT',
  /** `1`: record this call once bridged (MixMonitor, docs/recording.md); SB_RECORD_ANNOUNCEMENT first. */
  record: 'SB_RECORD',
  recordAnnouncement: 'SB_RECORD_ANNOUNCEMENT',
  /**
   * A text a phone sent (the `message` script): its body as BASE64_ENCODE()d in [sb-text], read
   * with GET FULL VARIABLE, so no byte of it is ever AGI or dialplan syntax (docs/messaging.md).
   */
  textBody: 'SB_TEXT_B64',
} as const;

/** Query parameters the dialplan passes, each value URIENCODE()d. */
export const AgiQuery = {
  did: 'did',
  callSid: 'callsid',
  linkedId: 'linkedid',
  route: 'route',
  plan: 'plan',
  step: 'step',
  dialStatus: 'dialstatus',
  /** ${DIALEDPEERNAME}: the channel that answered, e.g. PJSIP/101-00000004. */
  peer: 'peer',
  /** ${ANSWEREDTIME_MS}: how long the answered call lasted. */
  answeredMs: 'answeredms',
  action: 'action',
  reason: 'reason',
  /** The X-SB- headers of the INVITE (see contract/sip-headers.ts), as read by PJSIP_HEADER. */
  sbDid: 'sbdid',
  sbCaller: 'sbcaller',
  sbRoute: 'sbroute',
  sbTimestamp: 'sbts',
  sbNonce: 'sbnonce',
  sbSignature: 'sbsig',
  /** X-Twilio-AccountSid, which Twilio adds to the INVITE itself. */
  accountSid: 'accountsid',
  /** Outbound: the calling endpoint (${CHANNEL(endpoint)}) and the digits dialled (${EXTEN}). */
  endpoint: 'endpoint',
  dialled: 'dialled',
  extension: 'ext',
  number: 'number',
  /** After a menu's Read(): the digits pressed (${SB_DIGITS}) and ${READSTATUS}; present only then. */
  digits: 'digits',
  readStatus: 'readstatus',
  /** A text a phone sent: what it addressed (the Request-URI's user, ${EXTEN}). */
  to: 'to',
} as const;

/** Script names the dialplan calls (`agi_network_script`). */
export const AgiScript = {
  inbound: 'inbound',
  next: 'next',
  hangup: 'hangup',
  outbound: 'outbound',
  /** A text a phone sent (its endpoint's message_context, [sb-text]): stored, then sent or refused. */
  message: 'message',
} as const;
