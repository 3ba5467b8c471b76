import { mkdir, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RECORDING_SID } from '@switchboard/contract';
import type { VoicemailFacts } from '../store/message-types.js';
import { fetchRecording, type TwilioAccount, type TwilioClient } from '../twilio-rest/index.js';
import type { AudioSource } from './email-channel.js';

/**
 * An edge voicemail's audio (docs/voicemail.md): fetched from Twilio's Recordings API with the
 * account's credentials the first time an email needs it, kept in `dir` as <RecordingSid>.wav.
 * Not there yet, Twilio away or refusing: the attempt throws, so the outbox tries again later
 * (the email is never sent without audio that still exists at Twilio).
 */
export function edgeAudio(client: TwilioClient, account: TwilioAccount, dir: string): AudioSource {
  return {
    async audioOf(facts: VoicemailFacts) {
      const sid = facts.recordingSid;
      if (facts.origin !== 'edge' || !sid || !RECORDING_SID.test(sid)) return undefined;
      const path = join(dir, `${sid}.wav`);
      const kept = await stat(path).catch(() => undefined);
      if (kept?.isFile()) return { path, bytes: kept.size };
      const fetched = await fetchRecording(client, account, sid);
      if (fetched.kind !== 'fetched')
        throw new Error(
          `recording ${sid} not fetched: ${fetched.kind === 'refused' ? fetched.message : fetched.reason}`,
        );
      await mkdir(dir, { recursive: true });
      const partial = `${path}.part`;
      await writeFile(partial, fetched.audio, { mode: 0o600 });
      await rename(partial, path);
      return { path, bytes: fetched.audio.length };
    },
  };
}

/** The spool's audio for PBX voicemails, Twilio's for edge ones. */
export function eitherAudio(pbx: AudioSource, edge: AudioSource | undefined): AudioSource {
  return {
    audioOf: (facts) =>
      facts.origin === 'edge' ? (edge?.audioOf(facts) ?? Promise.resolve(undefined)) : pbx.audioOf(facts),
  };
}
