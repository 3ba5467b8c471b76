import { randomBytes } from 'node:crypto';
import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { checkTelephonyWav } from '../media/wav-format.js';
import { InvalidRequestError } from './errors.js';

/**
 * An uploaded sound (a prompt, a greeting): the request body as a WAV Asterisk can play to a
 * phone line (docs/menus.md, docs/voicemail.md), or a 400 saying what is wrong with it.
 */
export function uploadedWav(body: unknown): { readonly body: Buffer; readonly seconds: number } {
  if (!Buffer.isBuffer(body))
    throw new InvalidRequestError([
      { path: 'body', message: 'send the WAV file as the body with Content-Type: audio/wav' },
    ]);
  const wav = checkTelephonyWav(body);
  if (typeof wav === 'string') throw new InvalidRequestError([{ path: 'body', message: wav }]);
  return { body, seconds: wav.seconds };
}

/** Writes <dir>/<name>.wav beside its final name, then renames it: Asterisk never plays half a file. */
export async function writeWavFile(dir: string, name: string, body: Buffer): Promise<void> {
  const partial = join(dir, `.${name}.${randomBytes(6).toString('hex')}.part`);
  await writeFile(partial, body, { mode: 0o644 });
  await rename(partial, join(dir, `${name}.wav`));
}
