import { readdir, rm, stat } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { LINKED_ID } from '@switchboard/contract';

/**
 * Call recordings on disk: `<SB_RECORDINGS_DIR>/<linkedid>.wav`, as the dialplan's
 * MixMonitor(<linkedid>.wav,b) writes them into Asterisk's monitor folder (docs/recording.md).
 * The only way from a request to a file: a linkedid that passes LINKED_ID, then a path that
 * must stay inside the folder.
 */

/** The file of a call's recording, or undefined when the id is not a linkedid or leaves the folder. */
export function recordingPath(dir: string, linkedId: string): string | undefined {
  if (!LINKED_ID.test(linkedId) || linkedId.startsWith('.')) return undefined;
  const root = resolve(dir);
  const path = resolve(root, `${linkedId}.wav`);
  return path.startsWith(root + sep) ? path : undefined;
}

export interface RecordingFile {
  readonly linkedId: string;
  readonly bytes: number;
  /** 8 kHz 16-bit mono WAV (MixMonitor's .wav): the audio after the 44-byte header. */
  readonly seconds: number;
  readonly modifiedAt: string;
}

export async function recordingInfo(dir: string, linkedId: string): Promise<RecordingFile | undefined> {
  const path = recordingPath(dir, linkedId);
  if (!path) return undefined;
  try {
    const facts = await stat(path);
    return {
      linkedId,
      bytes: facts.size,
      seconds: Math.round((Math.max(0, facts.size - 44) / 16_000) * 100) / 100,
      modifiedAt: facts.mtime.toISOString(),
    };
  } catch {
    return undefined;
  }
}

/** Which recordings are past their retention at `now` (pure). */
export function expiredRecordings(
  files: readonly { readonly name: string; readonly modifiedMs: number }[],
  now: Date,
  retentionDays: number,
): string[] {
  const cutoff = now.getTime() - retentionDays * 86_400_000;
  return files
    .filter((file) => file.name.endsWith('.wav') && file.modifiedMs < cutoff)
    .map((file) => file.name);
}

/** Deletes the recordings older than `retentionDays`; answers the names deleted. */
export async function sweepRecordings(dir: string, now: Date, retentionDays: number): Promise<string[]> {
  const names = (await readdir(dir)).filter(
    (name) => recordingPath(dir, name.replace(/\.wav$/, '')) !== undefined,
  );
  const files = await Promise.all(
    names.map(async (name) => ({ name, modifiedMs: (await stat(join(dir, name))).mtimeMs })),
  );
  const expired = expiredRecordings(files, now, retentionDays);
  await Promise.all(expired.map((name) => rm(join(dir, name), { force: true })));
  return expired;
}
