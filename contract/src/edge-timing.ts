/**
 * How long the Twilio edge waits for the PBX, shared by the Function (its DIAL_TIMEOUT, the
 * `<Dial timeout>` of the PBX leg) and the routing document (settings.edgeDialTimeoutSeconds,
 * against which every plan is checked). With answerOnBridge the PBX leg is answered only when a
 * phone or VoiceMail() answers, so a plan that rings longer than the edge waits is cancelled by
 * Twilio before its voicemail step (see docs/twilio.md).
 */

/** Twilio's own limit for `<Dial timeout>`. */
export const TWILIO_MAX_DIAL_TIMEOUT_SECONDS = 600;
/** Twilio's lower bound for `<Dial timeout>`; less would not let a phone ring at all. */
export const MIN_EDGE_DIAL_TIMEOUT_SECONDS = 5;
/** Both sides' default: room for a ring group plus a hunt before voicemail. */
export const DEFAULT_EDGE_DIAL_TIMEOUT_SECONDS = 120;
/**
 * Kept free between a plan's last ring and the edge's limit: INVITE, AGI round trips between
 * steps and VoiceMail()'s answer take milliseconds, but a Dial() timeout is not exact to the
 * millisecond and the edge starts counting before the PBX does.
 */
export const EDGE_MARGIN_SECONDS = 5;
