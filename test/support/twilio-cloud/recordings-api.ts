import type { CloudApi } from './cloud.js';
import { twilioError } from './cloud.js';

/**
 * Twilio's Recordings API as its documentation describes it
 * (https://www.twilio.com/docs/voice/api/recording): `GET
 * /2010-04-01/Accounts/{AccountSid}/Recordings/{RecordingSid}.wav` (or `.mp3`, or bare: WAV) with
 * the account's Basic auth returns the audio; an unknown recording is 404 with error 20404. The
 * test puts recordings in `recordings` (RecordingSid → WAV bytes); `notReadyFor` answers 404 for
 * the first N requests of a recording, as Twilio may right after the call while it is processed.
 */
export interface RecordingsApi {
  readonly api: CloudApi;
  readonly recordings: Map<string, Buffer>;
  /** Requests served, by RecordingSid. */
  readonly fetched: Map<string, number>;
}

export function recordingsApi(options: { notReadyFor?: number } = {}): RecordingsApi {
  const recordings = new Map<string, Buffer>();
  const fetched = new Map<string, number>();
  return {
    recordings,
    fetched,
    api: (routes) =>
      routes.route(
        'GET',
        /^\/2010-04-01\/Accounts\/(?<sid>AC[0-9a-fA-F]{32})\/Recordings\/(?<rec>RE[0-9a-f]{32})(?<ext>\.wav|\.mp3)?$/,
        (request) => {
          const sid = request.params.rec as string;
          const count = (fetched.get(sid) ?? 0) + 1;
          fetched.set(sid, count);
          if (request.params.sid !== routes.credentials.accountSid)
            return twilioError(403, 20003, 'Permission Denied');
          const audio = recordings.get(sid);
          if (!audio || count <= (options.notReadyFor ?? 0))
            return twilioError(404, 20404, `The requested resource /Recordings/${sid} was not found`);
          if (request.params.ext === '.mp3') return twilioError(404, 20404, 'only WAV in this emulator');
          return { status: 200, body: audio, headers: { 'Content-Type': 'audio/x-wav' } };
        },
      ),
  };
}
