import { CALL_SID, toE164 } from '@switchboard/contract';
import type { CountryCode } from 'libphonenumber-js';
import { dispositionOf, endpointOfPeer, outcomeOfDialStatus } from '../call-outcome/dial-status.js';
import type { CallEvent, CallRecord } from '../store/types.js';
import type { CdrRecord } from './record.js';

/**
 * Pure: what the call log is missing about one call, given Asterisk's records of it (CDR) and
 * the row we have, if any. Calls that took the static fallback while the server was away have
 * no row; calls whose hangup report was lost have a row left `in-progress`. Rows the server
 * completed itself are left alone. See docs/call-log.md.
 */

/** The call's records, grouped by linkedid, leaving out the Local channels of hangup reports. */
export function groupByCall(records: Iterable<CdrRecord>): Map<string, CdrRecord[]> {
  const calls = new Map<string, CdrRecord[]>();
  for (const record of records) {
    if (record.channel.startsWith('Local/')) continue;
    const list = calls.get(record.linkedid) ?? [];
    list.push(record);
    calls.set(record.linkedid, list);
  }
  return calls;
}

type Field = keyof CdrRecord;
const first = (records: readonly CdrRecord[], field: Field): string | undefined =>
  records.map((record) => String(record[field])).find((value) => value !== '');
const last = (records: readonly CdrRecord[], field: Field): string | undefined =>
  records
    .map((record) => String(record[field]))
    .filter((value) => value !== '')
    .at(-1);

const iso = (seconds: number): string => new Date(Math.round(seconds * 1000)).toISOString();

export interface ReconcileContext {
  /** PJSIP endpoint -> extension number, to name who answered (the routing snapshot's). */
  readonly extensionByEndpoint: ReadonlyMap<string, string>;
  /** To store the DID in E.164, as the handlers do (a short extension stays as dialled). */
  readonly defaultCountry: CountryCode;
}

export function reconcileCall(
  records: readonly CdrRecord[],
  existing: CallRecord | undefined,
  context: ReconcileContext,
): CallEvent[] {
  if (records.length === 0) return [];
  const complete = existing !== undefined && existing.disposition !== 'in-progress';
  const dialled = first(records, 'sbdid');
  const did = dialled === undefined ? undefined : (toE164(dialled, context.defaultCountry) ?? dialled);
  // A row made by an `end` alone (the report came, the start was lost) lacks the call's facts.
  const needsStart = existing === undefined || (existing.did === undefined && did !== undefined);
  if (complete && !needsStart) return [];

  const linkedId = records[0]?.linkedid as string;
  const started = Math.min(...records.map((record) => record.start));
  const ended = Math.max(...records.map((record) => record.end));
  const fallback = first(records, 'sbfallback');
  const action = last(records, 'sbaction');
  const reason = last(records, 'sbreason');
  // The phone that answered: a bridged leg, never the caller's own answer (VoiceMail answers too).
  const answeredLeg = records.find(
    (record) => record.disposition === 'ANSWERED' && record.dstchannel !== '' && record.answer > 0,
  );
  const dialStatus = last(records, 'sbdialstatus') ?? (answeredLeg ? 'ANSWER' : undefined);
  const events: CallEvent[] = [];

  if (needsStart) {
    const callSid = first(records, 'sbcallsid');
    events.push({
      type: 'start',
      linkedId,
      at: iso(started),
      callSid: callSid && CALL_SID.test(callSid) ? callSid : undefined,
      did,
      caller: first(records, 'sbcaller'),
      routeId: existing?.routeId,
      version: existing?.routeVersion ?? 0,
      plan: existing?.plan,
      note: fallback
        ? `static fallback (AGISTATUS=${fallback}); recorded from Asterisk's CDR`
        : "recorded from Asterisk's CDR",
      signature: existing?.signature,
    });
  }
  if (complete) return events;

  const attempt = Number(last(records, 'sbstep'));
  if (!fallback && action === 'dial' && dialStatus && Number.isInteger(attempt) && attempt >= 0) {
    events.push({
      type: 'outcome',
      linkedId,
      attempt,
      outcome: dialStatus === 'CANCEL' ? 'abandoned' : outcomeOfDialStatus(dialStatus),
    });
  }
  const disposition = dispositionOf(dialStatus, action, reason);
  const peer = answeredLeg?.dstchannel ?? last(records, 'sbpeer');
  const endpoint = endpointOfPeer(peer);
  const answered = disposition === 'answered';
  events.push({
    type: 'end',
    linkedId,
    at: iso(ended),
    disposition,
    answeredBy: answered && endpoint ? (context.extensionByEndpoint.get(endpoint) ?? endpoint) : undefined,
    answeredAt: answered && answeredLeg ? iso(answeredLeg.answer) : undefined,
  });
  return events;
}
