import { afterDial } from './lib/fallback.js';
import { dialActionParamsSchema } from './lib/params.js';
import { twilioHandler } from './lib/runtime.js';

/** <Dial action> after the secondary PBX: hang up, or the fallbacks after it. */
export const handler = twilioHandler('secondary-status', dialActionParamsSchema, (config, params, now) =>
  afterDial('secondary', config, params, now),
);
