import { voicemailDone } from './lib/fallback.js';
import { voiceParamsSchema } from './lib/params.js';
import { twilioHandler } from './lib/runtime.js';

/** <Record action>: the message is taken; thank the caller and hang up. */
export const handler = twilioHandler('voicemail-done', voiceParamsSchema, () => voicemailDone());
