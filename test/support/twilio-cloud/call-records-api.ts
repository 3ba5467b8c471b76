import type { CloudApi, CloudRequest } from './cloud.js';
import { twilioError } from './cloud.js';

/**
 * Twilio's Recordings list and Call fetch as their documentation describes them
 * (https://www.twilio.com/docs/voice/api/recording#read-multiple-recording-resources,
 * https://www.twilio.com/docs/voice/api/call-resource#fetch-a-call-resource):
 *
 * - `GET /2010-04-01/Accounts/{AccountSid}/Recordings.json`, newest first, filtered by
 *   `DateCreated>=` / `DateCreated<=` / `CallSid`, paged by `PageSize` (default 50, at most 1000)
 *   and `Page`/`PageToken`; each page carries `recordings`, `page`, `page_size`, `start`, `end`,
 *   `uri`, `first_page_uri`, `previous_page_uri` and `next_page_uri` (null on the last page), which
 *   the library follows. Dates are RFC 2822 (`Fri, 14 Oct 2016 21:56:34 +0000`), `duration` a string.
 * - `GET /2010-04-01/Accounts/{AccountSid}/Calls/{CallSid}.json`: the call's `from`, `to`,
 *   `direction` (`inbound`, `outbound-api`, `outbound-dial`), `status`; unknown: 404 error 20404.
 *
 * The test fills `recordings` and `calls`; `listed` counts list requests (every page), `callFetches`
 * the Call fetches by CallSid.
 */

export interface EmulatedRecording {
  readonly sid: string;
  readonly callSid: string;
  /** RecordVerb, DialVerb, OutboundAPI, Conference, Trunking, StartCallRecordingAPI… */
  readonly source: string;
  /** completed, processing, absent, failed… */
  readonly status: string;
  readonly durationSeconds: number;
  readonly dateCreated: Date;
}

export interface EmulatedCall {
  readonly sid: string;
  readonly from: string;
  readonly to: string;
  readonly direction: 'inbound' | 'outbound-api' | 'outbound-dial';
  readonly status: string;
}

export interface CallRecordsApi {
  readonly api: CloudApi;
  readonly recordings: EmulatedRecording[];
  readonly calls: Map<string, EmulatedCall>;
  /** Every list page served, with its query. */
  readonly listed: URLSearchParams[];
  readonly callFetches: string[];
}

/** `Fri, 14 Oct 2016 21:56:34 +0000`, as Twilio writes dates. */
function rfc2822(date: Date): string {
  return date.toUTCString().replace(/GMT$/, '+0000');
}

/**
 * Twilio's inequality filters take a date (`YYYY-MM-DD`, midnight GMT) or a full ISO 8601 instant
 * (the library sends `YYYY-MM-DDTHH:mm:ssZ`); the emulator honours both.
 */
function instantOf(value: string | null): number | undefined {
  if (!value) return undefined;
  const time = Date.parse(/^\d{4}-\d\d-\d\d$/.test(value) ? `${value}T00:00:00Z` : value);
  return Number.isNaN(time) ? undefined : time;
}

export function callRecordsApi(): CallRecordsApi {
  const recordings: EmulatedRecording[] = [];
  const calls = new Map<string, EmulatedCall>();
  const listed: URLSearchParams[] = [];
  const callFetches: string[] = [];
  return {
    recordings,
    calls,
    listed,
    callFetches,
    api: (routes) => {
      const account = routes.credentials.accountSid;
      const base = `/2010-04-01/Accounts/${account}`;
      const recordingJson = (recording: EmulatedRecording) => ({
        account_sid: account,
        api_version: '2010-04-01',
        call_sid: recording.callSid,
        conference_sid: null,
        channels: 1,
        date_created: rfc2822(recording.dateCreated),
        date_updated: rfc2822(new Date(recording.dateCreated.getTime() + recording.durationSeconds * 1000)),
        start_time: rfc2822(recording.dateCreated),
        duration: String(recording.durationSeconds),
        price: null,
        price_unit: 'USD',
        sid: recording.sid,
        source: recording.source,
        status: recording.status,
        error_code: null,
        encryption_details: null,
        track: 'both',
        uri: `${base}/Recordings/${recording.sid}.json`,
        media_url: `https://api.twilio.com${base}/Recordings/${recording.sid}`,
        subresource_uris: {
          add_on_results: `${base}/Recordings/${recording.sid}/AddOnResults.json`,
          transcriptions: `${base}/Recordings/${recording.sid}/Transcriptions.json`,
        },
      });
      const list = (request: CloudRequest) => {
        if (request.params.sid !== account) return twilioError(403, 20003, 'Permission Denied');
        listed.push(request.query);
        const after = instantOf(request.query.get('DateCreated>') ?? request.query.get('DateCreated>='));
        const before = instantOf(request.query.get('DateCreated<') ?? request.query.get('DateCreated<='));
        const callSid = request.query.get('CallSid');
        const pageSize = Math.min(Math.max(Number(request.query.get('PageSize') ?? 50) || 50, 1), 1000);
        const page = Math.max(Number(request.query.get('Page') ?? 0) || 0, 0);
        const matching = recordings
          .filter(
            (recording) =>
              (after === undefined || recording.dateCreated.getTime() >= after) &&
              (before === undefined || recording.dateCreated.getTime() <= before) &&
              (!callSid || recording.callSid === callSid),
          )
          .sort((a, b) => b.dateCreated.getTime() - a.dateCreated.getTime());
        const slice = matching.slice(page * pageSize, (page + 1) * pageSize);
        const query = (number: number) => {
          const next = new URLSearchParams(request.query);
          next.set('PageSize', String(pageSize));
          next.set('Page', String(number));
          next.delete('PageToken');
          if (number > 0) next.set('PageToken', `PA${slice[0]?.sid ?? ''}`);
          return `${base}/Recordings.json?${next.toString()}`;
        };
        const start = page * pageSize;
        return {
          status: 200,
          json: {
            recordings: slice.map(recordingJson),
            page,
            page_size: pageSize,
            start,
            end: start + Math.max(slice.length - 1, 0),
            uri: query(page),
            first_page_uri: query(0),
            previous_page_uri: page > 0 ? query(page - 1) : null,
            next_page_uri: start + pageSize < matching.length ? query(page + 1) : null,
          },
        };
      };
      routes.route('GET', /^\/2010-04-01\/Accounts\/(?<sid>AC[0-9a-fA-F]{32})\/Recordings\.json$/, list);
      routes.route(
        'GET',
        /^\/2010-04-01\/Accounts\/(?<sid>AC[0-9a-fA-F]{32})\/Calls\/(?<call>CA[0-9a-f]{32})\.json$/,
        (request) => {
          if (request.params.sid !== account) return twilioError(403, 20003, 'Permission Denied');
          const sid = request.params.call as string;
          callFetches.push(sid);
          const call = calls.get(sid);
          if (!call) return twilioError(404, 20404, `The requested resource ${request.path} was not found`);
          return {
            status: 200,
            json: {
              sid: call.sid,
              account_sid: account,
              api_version: '2010-04-01',
              from: call.from,
              from_formatted: call.from,
              to: call.to,
              to_formatted: call.to,
              direction: call.direction,
              status: call.status,
              parent_call_sid: null,
              phone_number_sid: null,
              answered_by: null,
              uri: `${base}/Calls/${call.sid}.json`,
            },
          };
        },
      );
    },
  };
}
