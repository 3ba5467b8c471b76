import { z } from 'zod';
import { ACCOUNT_SID, E164 } from './patterns.js';
import { HANDOVER_HEADER, type HandoverKind, signHandover, verifyHandover } from './signed-handover.js';

/**
 * The contract between the `/inbound-message` Function and Switchboard's `POST /inbound-message`:
 * the text Twilio delivered (after the Function checked X-Twilio-Signature), as JSON, with an
 * HMAC-SHA256 under the secret both share (SB_HEADER_SECRET) over the timestamp and every field,
 * MessageSid first. Switchboard refuses a stale timestamp and claims the MessageSid in its replay
 * cache, so a forwarded text is accepted once. See docs/messaging.md.
 */

/** A Twilio Message SID (SM…, or MM… for MMS). */
export const MESSAGE_SID = /^(SM|MM)[0-9a-f]{32}$/;

/** Most media Twilio attaches to one MMS. */
export const MAX_MEDIA = 10;
/** Twilio's own limit on a message body (characters); the UTF-8 bytes are at most four times that. */
export const MAX_MESSAGE_CHARS = 1_600;

export const MESSAGE_FORWARD_HEADER = HANDOVER_HEADER;

/** Media links are https URLs without spaces or control characters (they are signed joined by spaces). */
const mediaUrl = z.url({ protocol: /^https$/ }).regex(/^[\x21-\x7e]+$/, 'a URL without spaces');

export const forwardedMessageSchema = z
  .object({
    messageSid: z.string().regex(MESSAGE_SID, 'a Twilio Message SID'),
    accountSid: z.string().regex(ACCOUNT_SID, 'an account SID (AC…)'),
    from: z.string().regex(/^[A-Za-z0-9+:@._-]{1,64}$/, 'the sender as Twilio names it'),
    to: z.string().regex(E164, 'the Twilio number, E.164'),
    body: z.string().max(MAX_MESSAGE_CHARS * 2),
    media: z.array(mediaUrl).max(MAX_MEDIA),
  })
  .strict();
export type ForwardedMessage = z.infer<typeof forwardedMessageSchema>;

function canonical(message: ForwardedMessage, timestamp: number): string {
  // The body last: it is the only field that may hold a newline, so the join is unambiguous.
  return [
    'sb-message-v1',
    String(timestamp),
    message.messageSid,
    message.accountSid,
    message.from,
    message.to,
    message.media.join(' '),
    message.body,
  ].join('\n');
}

const messageHandover: HandoverKind<ForwardedMessage> = {
  schema: forwardedMessageSchema,
  canonical,
  nonceOf: (message) => `message:${message.messageSid}`,
};

export function signForwardedMessage(message: ForwardedMessage, secret: string, now: Date) {
  return signHandover(messageHandover, message, secret, now);
}

export type ForwardCheck =
  | {
      readonly ok: true;
      readonly message: ForwardedMessage;
      readonly nonce: { value: string; expiresAt: number };
    }
  | { readonly ok: false; readonly why: 'malformed' | 'invalid' | 'stale' };

/** Checks a forwarded text; the caller still claims `nonce` in the replay cache (single use). */
export function verifyForwardedMessage(
  body: unknown,
  headers: { readonly timestamp: string | undefined; readonly signature: string | undefined },
  secret: string,
  now: Date,
  windowSeconds?: number,
): ForwardCheck {
  const check = verifyHandover(messageHandover, body, headers, secret, now, windowSeconds);
  return check.ok ? { ok: true, message: check.data, nonce: check.nonce } : check;
}
