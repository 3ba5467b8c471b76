import { outboundCall } from './lib/outbound.js';
import { voiceParamsSchema } from './lib/params.js';
import { twilioHandler } from './lib/runtime.js';

/** The SIP Domain's Voice URL: the PBX calls out; check the number and caller ID, then dial. */
export const handler = twilioHandler('outbound-call', voiceParamsSchema, (config, params) =>
  outboundCall(config, params),
);
