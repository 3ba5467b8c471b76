import type { DialActionParams } from './params.js';

/**
 * What the end of a <Dial> to a PBX means, from Twilio's DialCallStatus and DialSipResponseCode
 * (see docs/twilio.md). Our dialplan answers deliberately: 404 for a DID no route names, 486 for
 * `reject busy`, 480 when a plan ends unanswered, 603 for a declined call. Those are the PBX
 * doing its job, and the edge must not send the caller to a secondary PBX or a number for them.
 * Only a PBX that is unreachable (no answer to the INVITE, 408, the edge's own timeout) or broken
 * (5xx such as 503, any other unexpected answer) is failed over.
 */
export type DialOutcome =
  /** The call was answered and has ended. */
  | 'connected'
  /** The caller hung up first. */
  | 'caller-gone'
  /** The PBX answered with a final decision of its own. */
  | 'declined'
  /** Nothing answered the INVITE in time, or the PBX timed out. */
  | 'unreachable'
  /** The PBX answered with a server error or something our dialplan never sends. */
  | 'broken';

/** SIP responses our own dialplan sends on purpose (chan_pjsip's mapping of its hangup causes). */
const DELIBERATE = new Set(['404', '480', '486', '600', '603']);

export function classifyDial(params: Pick<DialActionParams, 'DialCallStatus' | 'DialSipResponseCode'>): {
  outcome: DialOutcome;
  failover: boolean;
} {
  const status = params.DialCallStatus;
  const code = params.DialSipResponseCode;
  const outcome = ((): DialOutcome => {
    if (status === 'completed' || status === 'answered') return 'connected';
    if (status === 'canceled') return 'caller-gone';
    if (code !== undefined && DELIBERATE.has(code)) return 'declined';
    // Busy without a code is still the far end's own answer.
    if (status === 'busy' && code === undefined) return 'declined';
    // No final answer, 408, or the edge's own timeout cancelling a leg that never answered (487).
    if (code === undefined || code === '408' || code === '487') return 'unreachable';
    return 'broken';
  })();
  return { outcome, failover: outcome === 'unreachable' || outcome === 'broken' };
}
