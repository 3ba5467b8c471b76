import { afterDial } from './lib/fallback.js';
import { dialActionParamsSchema } from './lib/params.js';
import { twilioHandler } from './lib/runtime.js';

/** <Dial action> after the forward to FALLBACK_NUMBER: hang up, or voicemail. */
export const handler = twilioHandler('forward-status', dialActionParamsSchema, (config, params, now) =>
  afterDial('forward', config, params, now),
);
