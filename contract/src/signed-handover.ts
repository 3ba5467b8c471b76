import { createHmac, timingSafeEqual } from 'node:crypto';
import type { z } from 'zod';
import { assertSecret, DEFAULT_WINDOW_SECONDS } from './sip-headers.js';

/**
 * A hand-over from a Function to Switchboard (a text, an edge recording): JSON checked by its zod
 * schema, an HMAC-SHA256 under SB_HEADER_SECRET over a canonical text of every field and the
 * timestamp, refused when stale; the caller then claims `nonce` in the replay cache, so each is
 * taken once (docs/messaging.md, docs/voicemail.md). One implementation for every kind, so the
 * rules (timestamp and signature shapes, constant-time comparison, window) are defined once.
 */

export const HANDOVER_HEADER = { timestamp: 'x-sb-ts', signature: 'x-sb-sig' } as const;

/** Unix seconds, as the timestamp header carries them. */
const TIMESTAMP = /^\d{1,12}$/;
/** An HMAC-SHA256 in base64url without padding: 43 characters. */
const SIGNATURE = /^[A-Za-z0-9_-]{43}$/;

export interface HandoverKind<T> {
  readonly schema: z.ZodType<T>;
  /** Every field and the timestamp, joined unambiguously, with a version tag of its own. */
  readonly canonical: (data: T, timestamp: number) => string;
  /** The replay-cache key that makes the hand-over single use (e.g. `message:<MessageSid>`). */
  readonly nonceOf: (data: T) => string;
}

export type HandoverCheck<T> =
  | { readonly ok: true; readonly data: T; readonly nonce: { value: string; expiresAt: number } }
  | { readonly ok: false; readonly why: 'malformed' | 'invalid' | 'stale' };

function mac(secret: string, text: string): string {
  return createHmac('sha256', secret).update(text).digest('base64url');
}

export function signHandover<T>(kind: HandoverKind<T>, data: T, secret: string, now: Date) {
  assertSecret(secret);
  const timestamp = Math.floor(now.getTime() / 1000);
  return {
    [HANDOVER_HEADER.timestamp]: String(timestamp),
    [HANDOVER_HEADER.signature]: mac(secret, kind.canonical(data, timestamp)),
  };
}

export function verifyHandover<T>(
  kind: HandoverKind<T>,
  body: unknown,
  headers: { readonly timestamp: string | undefined; readonly signature: string | undefined },
  secret: string,
  now: Date,
  windowSeconds = DEFAULT_WINDOW_SECONDS,
): HandoverCheck<T> {
  assertSecret(secret);
  const parsed = kind.schema.safeParse(body);
  if (!parsed.success || !TIMESTAMP.test(headers.timestamp ?? '') || !SIGNATURE.test(headers.signature ?? ''))
    return { ok: false, why: 'malformed' };
  const timestamp = Number(headers.timestamp);
  const expected = Buffer.from(mac(secret, kind.canonical(parsed.data, timestamp)));
  const actual = Buffer.from(headers.signature ?? '');
  if (expected.length !== actual.length || !timingSafeEqual(expected, actual))
    return { ok: false, why: 'invalid' };
  if (Math.abs(now.getTime() / 1000 - timestamp) > windowSeconds) return { ok: false, why: 'stale' };
  return {
    ok: true,
    data: parsed.data,
    nonce: { value: kind.nonceOf(parsed.data), expiresAt: (timestamp + windowSeconds) * 1000 },
  };
}
