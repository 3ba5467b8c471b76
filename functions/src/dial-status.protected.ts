import { afterDial } from './lib/fallback.js';
import { dialActionParamsSchema } from './lib/params.js';
import { twilioHandler } from './lib/runtime.js';

/** <Dial action> after the primary PBX: hang up, or the first configured fallback. */
export const handler = twilioHandler('dial-status', dialActionParamsSchema, (config, params, now) =>
  afterDial('primary', config, params, now),
);
