import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { requireSetting } from './errors.js';
import type { AdminApiDeps, TypedApp } from './types.js';
import { uploadedWav, writeWavFile } from './wav-upload.js';

/**
 * Menu prompts uploaded through the API (docs/menus.md): `PUT /sounds/{name}` with a WAV body
 * (PCM, mono, 8000 Hz, 16-bit) writes `<SB_SOUNDS_DIR>/<name>.wav`; a menu plays it as
 * `custom/<name>` when SB_SOUNDS_DIR is Asterisk's `sounds/custom` folder. The name is checked
 * against one pattern (no `/`, no `.`), so the path can never leave the folder.
 */

/** An uploaded prompt's name: the file is `<name>.wav`, the menu's prompt `custom/<name>`. */
export const SOUND_NAME = /^[a-z0-9][a-z0-9_-]{0,47}$/;
const MAX_SOUND_BYTES = 8 * 1024 * 1024;

export function registerSoundRoutes(app: TypedApp, deps: AdminApiDeps): void {
  app.addContentTypeParser(
    ['audio/wav', 'audio/x-wav', 'audio/wave'],
    { parseAs: 'buffer', bodyLimit: MAX_SOUND_BYTES },
    (_request, body, done) => done(null, body),
  );
  const params = z.object({
    name: z.string().regex(SOUND_NAME, 'lowercase letters, digits, _ and -, up to 48'),
  });
  const folder = () =>
    requireSetting(
      deps.soundsDir,
      'SB_SOUNDS_DIR',
      "uploads are off: set SB_SOUNDS_DIR to Asterisk's sounds/custom folder",
    );
  app.get(
    '/sounds',
    { schema: { operationId: 'listSounds', summary: 'Uploaded prompts (custom/<name>)', tags: ['sounds'] } },
    async () => {
      const dir = folder();
      const names = (await readdir(dir)).filter(
        (file) => file.endsWith('.wav') && SOUND_NAME.test(file.slice(0, -4)),
      );
      return Promise.all(
        names.sort().map(async (file) => ({
          prompt: `custom/${file.slice(0, -4)}`,
          bytes: (await stat(join(dir, file))).size,
        })),
      );
    },
  );
  app.put(
    '/sounds/:name',
    {
      schema: {
        operationId: 'putSound',
        summary: 'Upload a prompt (WAV: PCM, mono, 8000 Hz, 16-bit; Content-Type audio/wav)',
        tags: ['sounds'],
        params,
      },
    },
    async (request) => {
      const dir = folder();
      const { body, seconds } = uploadedWav(request.body);
      const { name } = request.params;
      await writeWavFile(dir, name, body);
      deps.logger.info(
        { event: 'sound-uploaded', name, bytes: body.length, author: request.author },
        'prompt uploaded',
      );
      return { prompt: `custom/${name}`, bytes: body.length, seconds: Math.round(seconds * 100) / 100 };
    },
  );
  app.delete(
    '/sounds/:name',
    {
      schema: { operationId: 'deleteSound', summary: 'Delete an uploaded prompt', tags: ['sounds'], params },
    },
    async (request, reply) => {
      await rm(join(folder(), `${request.params.name}.wav`), { force: true });
      return reply.code(204).send();
    },
  );
}
