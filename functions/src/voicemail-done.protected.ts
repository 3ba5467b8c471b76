/// <reference types="@twilio-labs/serverless-runtime-types" />
import type {
  Context,
  ServerlessCallback,
  ServerlessFunctionSignature,
} from '@twilio-labs/serverless-runtime-types/types.js';
import { forwardEdgeVoicemail } from './lib/edge-voicemail.js';
import { respond, webhookRequestOf } from './lib/runtime.js';

/**
 * <Record action>: the message is taken; it goes to Switchboard (signed, stored before this
 * answers: lib/edge-voicemail.ts), then the caller is thanked and the call ends.
 */
export const handler: ServerlessFunctionSignature = (
  context: Context,
  event: Record<string, unknown>,
  callback: ServerlessCallback,
) => {
  forwardEdgeVoicemail(webhookRequestOf(context, event)).then(
    (result) => respond(callback, result),
    (error: unknown) => callback(error as Error),
  );
};
