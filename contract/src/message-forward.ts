import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { ACCOUNT_SID, E164 } from './patterns.js';
import { assertSecret, DEFAULT_WINDOW_SECONDS } from './sip-headers.js';

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

export const MESSAGE_FORWARD_HEADER = { timestamp: 'x-sb-ts', signature: 'x-sb-sig' } as const;

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

export function signForwardedMessage(message: ForwardedMessage, secret: string, now: Date) {
  assertSecret(secret);
  const timestamp = Math.floor(now.getTime() / 1000);
  const signature = createHmac('sha256', secret).update(canonical(message, timestamp)).digest('base64url');
  return {
    [MESSAGE_FORWARD_HEADER.timestamp]: String(timestamp),
    [MESSAGE_FORWARD_HEADER.signature]: signature,
  };
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
  windowSeconds = DEFAULT_WINDOW_SECONDS,
): ForwardCheck {
  assertSecret(secret);
  const parsed = forwardedMessageSchema.safeParse(body);
  if (
    !parsed.success ||
    !/^\d{1,12}$/.test(headers.timestamp ?? '') ||
    !/^[A-Za-z0-9_-]{43}$/.test(headers.signature ?? '')
  )
    return { ok: false, why: 'malformed' };
  const timestamp = Number(headers.timestamp);
  const expected = Buffer.from(
    createHmac('sha256', secret).update(canonical(parsed.data, timestamp)).digest('base64url'),
  );
  const actual = Buffer.from(headers.signature ?? '');
  if (expected.length !== actual.length || !timingSafeEqual(expected, actual))
    return { ok: false, why: 'invalid' };
  if (Math.abs(now.getTime() / 1000 - timestamp) > windowSeconds) return { ok: false, why: 'stale' };
  return {
    ok: true,
    message: parsed.data,
    nonce: { value: `message:${parsed.data.messageSid}`, expiresAt: (timestamp + windowSeconds) * 1000 },
  };
}
