/// <reference types="@twilio-labs/serverless-runtime-types" />
import { forwardInboundMessage } from './lib/inbound-message.js';
import { forwardingHandler } from './lib/runtime.js';

/** A Twilio number's Messaging webhook: the text goes to Switchboard, signed (lib/inbound-message.ts). */
export const handler = forwardingHandler(forwardInboundMessage);
