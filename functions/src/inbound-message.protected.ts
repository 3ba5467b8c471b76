/// <reference types="@twilio-labs/serverless-runtime-types" />
import type {
  Context,
  ServerlessCallback,
  ServerlessFunctionSignature,
} from '@twilio-labs/serverless-runtime-types/types.js';
import { forwardInboundMessage } from './lib/inbound-message.js';
import { respond, webhookRequestOf } from './lib/runtime.js';

/** A Twilio number's Messaging webhook: the text goes to Switchboard, signed (lib/inbound-message.ts). */
export const handler: ServerlessFunctionSignature = (
  context: Context,
  event: Record<string, unknown>,
  callback: ServerlessCallback,
) => {
  forwardInboundMessage(webhookRequestOf(context, event)).then(
    (result) => respond(callback, result),
    (error: unknown) => callback(error as Error),
  );
};
