import { z } from 'zod';
import { ACCOUNT_SID, CALL_SID, CALLER, E164 } from './patterns.js';
import { HANDOVER_HEADER, type HandoverKind, signHandover, verifyHandover } from './signed-handover.js';

/**
 * The contract between the `/recording-status` Function and Switchboard's `POST /edge-voicemail`
 * (docs/voicemail.md): a voicemail left at the Twilio fallback while the PBX could not be reached,
 * after the Function checked X-Twilio-Signature. JSON, with an HMAC-SHA256 under SB_HEADER_SECRET
 * over the timestamp and every field, RecordingSid first; Switchboard refuses a stale timestamp
 * and claims `recording:<RecordingSid>` in its replay cache (single use). No RecordingUrl travels:
 * Switchboard builds the Recordings API URL from the SIDs itself.
 */

export const RECORDING_SID = /^RE[0-9a-f]{32}$/;
export const RECORDING_FORWARD_HEADER = HANDOVER_HEADER;

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

const recordingHandover: HandoverKind<ForwardedRecording> = {
  schema: forwardedRecordingSchema,
  canonical,
  nonceOf: (recording) => `recording:${recording.recordingSid}`,
};

export function signForwardedRecording(recording: ForwardedRecording, secret: string, now: Date) {
  return signHandover(recordingHandover, recording, secret, now);
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
  windowSeconds?: number,
): RecordingForwardCheck {
  const check = verifyHandover(recordingHandover, body, headers, secret, now, windowSeconds);
  return check.ok ? { ok: true, recording: check.data, nonce: check.nonce } : check;
}
