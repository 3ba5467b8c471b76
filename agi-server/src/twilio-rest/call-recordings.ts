import { CALL_SID, RECORDING_SID } from '@switchboard/contract';
import twilio from 'twilio';
import type { TwilioClient } from './client.js';

/**
 * The account's recent recordings and the calls they belong to (docs/voicemail.md, "Recovery
 * sweep"), through the library: `client.recordings.list({ dateCreatedAfter })` is `GET
 * /2010-04-01/Accounts/{Sid}/Recordings.json?DateCreated>=…&PageSize=…`, the library following
 * `next_page_uri` page by page; `client.calls(sid).fetch()` is `GET …/Calls/{CallSid}.json`
 * (its `from`, `to`, `direction`). What Twilio answers is checked here before anyone uses it.
 */

export interface RecentRecording {
  readonly sid: string;
  readonly callSid: string;
  /** What made it: `RecordVerb` for TwiML's <Record>, else DialVerb, OutboundAPI, Conference… */
  readonly source: string;
  readonly status: string;
  readonly durationSeconds: number;
  readonly dateCreated: Date;
}

export interface CallParties {
  readonly from: string;
  readonly to: string;
  /** `inbound` for a call that reached one of the account's numbers. */
  readonly direction: string;
}

/** How many recordings one page asks for; the sweep reads at most MAX_RECORDINGS in all. */
const PAGE_SIZE = 100;
export const MAX_RECORDINGS = 2_000;

export type TwilioAnswer<T> =
  | { readonly kind: 'ok'; readonly value: T }
  | { readonly kind: 'failed'; readonly reason: string; readonly final: boolean };

function failure(error: unknown): { kind: 'failed'; reason: string; final: boolean } {
  if (error instanceof twilio.RestException)
    return {
      kind: 'failed',
      reason: `Twilio answered ${error.status}: ${error.message}`,
      final: error.status !== 429 && error.status < 500,
    };
  return { kind: 'failed', reason: (error as Error).message, final: false };
}

/** Recordings created after `since`, oldest first; ones Twilio describes oddly are left out. */
export async function listRecordingsSince(
  client: TwilioClient,
  since: Date,
): Promise<TwilioAnswer<RecentRecording[]>> {
  try {
    const listed = await client.recordings.list({
      dateCreatedAfter: since,
      pageSize: PAGE_SIZE,
      limit: MAX_RECORDINGS,
    });
    const recordings: RecentRecording[] = [];
    for (const recording of listed) {
      const dateCreated = recording.dateCreated;
      if (
        !RECORDING_SID.test(recording.sid) ||
        !CALL_SID.test(recording.callSid ?? '') ||
        !(dateCreated instanceof Date) ||
        Number.isNaN(dateCreated.getTime())
      )
        continue;
      const duration = Number.parseInt(recording.duration ?? '0', 10);
      recordings.push({
        sid: recording.sid,
        callSid: recording.callSid,
        source: String(recording.source ?? ''),
        status: String(recording.status ?? ''),
        durationSeconds: Number.isInteger(duration) && duration >= 0 && duration <= 86_400 ? duration : 0,
        dateCreated,
      });
    }
    recordings.sort((a, b) => a.dateCreated.getTime() - b.dateCreated.getTime());
    return { kind: 'ok', value: recordings };
  } catch (error) {
    return failure(error);
  }
}

export async function fetchCallParties(
  client: TwilioClient,
  callSid: string,
): Promise<TwilioAnswer<CallParties>> {
  if (!CALL_SID.test(callSid)) return { kind: 'failed', reason: 'not a Call SID', final: true };
  try {
    const call = await client.calls(callSid).fetch();
    return {
      kind: 'ok',
      value: {
        from: String(call.from ?? ''),
        to: String(call.to ?? ''),
        direction: String(call.direction ?? ''),
      },
    };
  } catch (error) {
    return failure(error);
  }
}
