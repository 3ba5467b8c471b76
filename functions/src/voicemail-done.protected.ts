/// <reference types="@twilio-labs/serverless-runtime-types" />
import { forwardEdgeVoicemail } from './lib/edge-voicemail.js';
import { forwardingHandler } from './lib/runtime.js';

/**
 * <Record action>: the message is taken; it goes to Switchboard (signed, stored before this
 * answers: lib/edge-voicemail.ts), then the caller is thanked and the call ends.
 */
export const handler = forwardingHandler(forwardEdgeVoicemail);
