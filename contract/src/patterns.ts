/**
 * Every pattern and limit that more than one part of Switchboard validates with. Functions,
 * the AGI server, its API and asterisk-config all import these; none writes its own copy, so a
 * value one side accepts is never refused (or let through) by the other.
 */

/** E.164: `+`, a non-zero country digit, 7 to 15 digits in all. What Twilio sends as `To`/`From`. */
export const E164 = /^\+[1-9]\d{6,14}$/;
/** A route, trunk, policy or schedule id: lowercase letters, digits and `-`, up to 63 (a DNS label). */
export const ID = /^[a-z0-9][a-z0-9-]{0,62}$/;
/** An id or nothing: the edge's route key is empty when the Function did not choose a route. */
export const OPTIONAL_ID = /^([a-z0-9][a-z0-9-]{0,62})?$/;
/** Route ids the call log uses for calls that matched no route, and for outbound calls. */
export const UNKNOWN_ROUTE_ID = '_unknown';
export const OUTBOUND_ROUTE_ID = '_outbound';
/** A route id as the call log stores it: a real id or one of the two reserved ones above. */
export const LOGGED_ROUTE_ID = new RegExp(
  `^(${UNKNOWN_ROUTE_ID}|${OUTBOUND_ROUTE_ID}|${ID.source.slice(1, -1)})$`,
);
/** An extension number: 2 to 6 digits (also the length of emergency short codes). */
export const EXTENSION = /^\d{2,6}$/;
/** A PJSIP endpoint (or other Asterisk object) name. */
export const ENDPOINT = /^[A-Za-z0-9_.-]{1,64}$/;
/** A number prefix in a block/allow list: `+` and digits, such as +1900. */
export const PREFIX = /^\+\d{1,15}$/;
/** What a phone dialled: digits, `*`, `#`, optionally after `+`. */
export const DIALLED = /^\+?[0-9*#]{1,32}$/;
/** The caller as Twilio reports it: E.164, `anonymous`, or a client/SIP identity. */
export const CALLER = /^[A-Za-z0-9+:@._-]{1,64}$/;
/** A Twilio Call SID. */
export const CALL_SID = /^CA[0-9a-f]{32}$/;
/** A Twilio Account SID (the `AccountSid` of webhooks, `X-Twilio-AccountSid` on INVITEs). */
export const ACCOUNT_SID = /^AC[0-9a-f]{32}$/;
/** The nonce of a signed X-SB- header set: 16 random bytes, base64url (docs/sip-headers.md). */
export const NONCE = /^[A-Za-z0-9_-]{22}$/;
/** Asterisk's linkedid / uniqueid (`1795465341.0`): the call log's key, from the AGI query and the CDR. */
export const LINKED_ID = /^[A-Za-z0-9._-]{1,64}$/;
/** An admin API token: sb_ and 20 to 100 URL-safe characters. */
export const API_TOKEN = /^sb_[A-Za-z0-9_-]{20,100}$/;
/**
 * app_voicemail's `msg_id` (apps/app_voicemail.c generate_msg_id: `%ld-%08x`, the Unix time and a
 * counter): names one voicemail message for as long as it exists, whatever its msgNNNN file is
 * renumbered to or moved into (docs/voicemail.md). The API never takes a path, only this.
 */
export const VOICEMAIL_MESSAGE_ID = /^\d{1,20}-[0-9a-f]{8}$/;
/** app_voicemail's folders a message can be in: new (INBOX) and heard (Old). */
export const VOICEMAIL_FOLDERS = ['INBOX', 'Old'] as const;
