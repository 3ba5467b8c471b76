import { inboundCall } from './lib/inbound.js';
import { inboundParamsSchema } from './lib/params.js';
import { twilioHandler } from './lib/runtime.js';

/** The Twilio number's Voice URL: dial the PBX over SIP with signed X-SB- headers. */
export const handler = twilioHandler('inbound-call', inboundParamsSchema, inboundCall);
