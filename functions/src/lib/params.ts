import { ACCOUNT_SID, CALL_SID, E164 } from '@switchboard/contract';
import { z } from 'zod';

/**
 * Twilio's webhook parameters (form fields), validated. Twilio sends many more fields than we
 * read (Caller, CallerCity, ApiVersion…): they are allowed and ignored.
 */

export const callSid = z.string().regex(CALL_SID);

export const voiceParamsSchema = z.looseObject({
  AccountSid: z.string().regex(ACCOUNT_SID),
  CallSid: callSid,
  From: z.string().max(256),
  To: z.string().max(256),
});
export type VoiceParams = z.infer<typeof voiceParamsSchema>;

export const inboundParamsSchema = voiceParamsSchema.extend({
  To: z.string().regex(E164, 'To must be the E.164 DID'),
});
export type InboundParams = z.infer<typeof inboundParamsSchema>;

/** <Dial action> (docs: DialCallStatus is completed, answered, busy, no-answer, failed or canceled). */
export const DIAL_CALL_STATUSES = [
  'completed',
  'answered',
  'busy',
  'no-answer',
  'failed',
  'canceled',
] as const;
export const dialActionParamsSchema = voiceParamsSchema.extend({
  DialCallStatus: z.enum(DIAL_CALL_STATUSES),
  DialSipResponseCode: z
    .string()
    .regex(/^\d{3}$/)
    .optional(),
  DialCallSid: z.string().optional(),
});
export type DialActionParams = z.infer<typeof dialActionParamsSchema>;

export const recordingStatusParamsSchema = z.looseObject({
  AccountSid: z.string().regex(ACCOUNT_SID),
  CallSid: callSid,
  RecordingSid: z.string().regex(/^RE[0-9a-f]{32}$/),
  RecordingUrl: z.url(),
  RecordingStatus: z.string().max(32),
  RecordingDuration: z
    .string()
    .regex(/^-?\d+$/)
    .optional(),
});
export type RecordingStatusParams = z.infer<typeof recordingStatusParamsSchema>;
