import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { ACCOUNT_SID, CALL_SID, CALLER, E164 } from './patterns.js';
import { assertSecret, DEFAULT_WINDOW_SECONDS } from './sip-headers.js';

/**
 * The contract between the `/recording-status` Function and Switchboard's `POST /edge-voicemail`
 * (docs/voicemail.md): a voicemail left at the Twilio fallback while the PBX could not be reached,
 * after the Function checked X-Twilio-Signature. JSON, with an HMAC-SHA256 under SB_HEADER_SECRET
 * over the timestamp and every field, RecordingSid first; Switchboard refuses a stale timestamp
 * and claims `recording:<RecordingSid>` in its replay cache (single use). No RecordingUrl travels:
 * Switchboard builds the Recordings API URL from the SIDs itself.
 */

export const RECORDING_SID = /^RE[0-9a-f]{32}$/;
export const RECORDING_FORWARD_HEADER = { timestamp: 'x-sb-ts', signature: 'x-sb-sig' } as const;

export const forwardedRecordingSchema = z
  .object({
    recordingSid: z.string().regex(RECORDING_SID, 'a Twilio Recording SID'),
    callSid: z.string().regex(CALL_SID, 'a Twilio Call SID'),
    accountSid: z.string().regex(ACCOUNT_SID, 'an account SID (AC…)'),
    /** The caller as Twilio reports it (E.164, anonymous, a client). */
    from: z.string().regex(CALLER, 'the caller as Twilio names it'),
    /** The DID that was called. */
    to: z.string().regex(E164, 'the Twilio number, E.164'),
    durationSeconds: z.number().int().min(0).max(86_400),
  })
  .strict();
export type ForwardedRecording = z.infer<typeof forwardedRecordingSchema>;

function canonical(recording: ForwardedRecording, timestamp: number): string {
  return [
    'sb-recording-v1',
    String(timestamp),
    recording.recordingSid,
    recording.callSid,
    recording.accountSid,
    recording.from,
    recording.to,
    String(recording.durationSeconds),
  ].join('\n');
}

export function signForwardedRecording(recording: ForwardedRecording, secret: string, now: Date) {
  assertSecret(secret);
  const timestamp = Math.floor(now.getTime() / 1000);
  const signature = createHmac('sha256', secret).update(canonical(recording, timestamp)).digest('base64url');
  return {
    [RECORDING_FORWARD_HEADER.timestamp]: String(timestamp),
    [RECORDING_FORWARD_HEADER.signature]: signature,
  };
}

export type RecordingForwardCheck =
  | {
      readonly ok: true;
      readonly recording: ForwardedRecording;
      readonly nonce: { value: string; expiresAt: number };
    }
  | { readonly ok: false; readonly why: 'malformed' | 'invalid' | 'stale' };

/** Checks a forwarded recording; the caller still claims `nonce` in the replay cache (single use). */
export function verifyForwardedRecording(
  body: unknown,
  headers: { readonly timestamp: string | undefined; readonly signature: string | undefined },
  secret: string,
  now: Date,
  windowSeconds = DEFAULT_WINDOW_SECONDS,
): RecordingForwardCheck {
  assertSecret(secret);
  const parsed = forwardedRecordingSchema.safeParse(body);
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
    recording: parsed.data,
    nonce: { value: `recording:${parsed.data.recordingSid}`, expiresAt: (timestamp + windowSeconds) * 1000 },
  };
}
