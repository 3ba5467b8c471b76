import twilio from 'twilio';
import { log } from './lib/log.js';
import { recordingStatusParamsSchema } from './lib/params.js';
import { twilioHandler } from './lib/runtime.js';

/**
 * <Record recordingStatusCallback>: a voicemail is ready. Logged with its URL (the Functions log
 * is where it is found); point a notifier at this Function's log or extend it to send mail.
 */
export const handler = twilioHandler('recording-status', recordingStatusParamsSchema, (_config, params) => {
  log('info', 'voicemail recorded', {
    callSid: params.CallSid,
    recordingSid: params.RecordingSid,
    recordingUrl: params.RecordingUrl,
    status: params.RecordingStatus,
    seconds: params.RecordingDuration,
  });
  return new twilio.twiml.VoiceResponse().toString();
});
