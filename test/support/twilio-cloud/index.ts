/**
 * Twilio's cloud on loopback for tests (docs/twilio.md). Start it with the APIs a test needs:
 *
 *   const messages = messagesApi({ smsNumbers: ['+1…'] });
 *   const cloud = await startTwilioCloud({ credentials, apis: [messages.api] });
 *   spawn(…, { env: { ...cloud.env, SB_TWILIO_ACCOUNT_SID, SB_TWILIO_AUTH_TOKEN } });
 *
 * Another API goes in a file of its own that exports a `CloudApi` (routes on `routes.route`).
 */

export {
  type CallRecordsApi,
  callRecordsApi,
  type EmulatedCall,
  type EmulatedRecording,
} from './call-records-api.js';
export {
  API_HOST,
  type CloudApi,
  type CloudHandler,
  type CloudReply,
  type CloudRequest,
  type CloudRoutes,
  type RecordedRequest,
  startTwilioCloud,
  type TwilioCloud,
  type TwilioCredentials,
  twilioError,
} from './cloud.js';
export {
  type EmulatedMessage,
  type MessageFate,
  type MessagesApi,
  messagesApi,
  type StatusCallbackRecord,
} from './messages-api.js';
export { type RecordingsApi, recordingsApi } from './recordings-api.js';
