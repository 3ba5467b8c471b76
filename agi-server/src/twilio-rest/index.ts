/** Twilio's REST APIs and webhook signatures, through the `twilio` library only (docs/twilio.md). */

export {
  type CallParties,
  fetchCallParties,
  listRecordingsSince,
  MAX_RECORDINGS,
  type RecentRecording,
  type TwilioAnswer,
} from './call-recordings.js';
export {
  createTwilioClient,
  TWILIO_REQUEST_TIMEOUT_MS,
  type TwilioAccount,
  type TwilioClient,
  twilioAccountOf,
} from './client.js';
export { type OutgoingText, type SendOutcome, sendMessage } from './messages.js';
export { fetchRecording, type RecordingFetch } from './recordings.js';
export { isSignedByTwilio } from './webhook-signature.js';
