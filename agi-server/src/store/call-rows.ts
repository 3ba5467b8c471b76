import type { CallRecord, CallStep, Disposition } from './types.js';

/**
 * The call log's columns as both engines return them: the same names, only the time type
 * differs (SQLite: ISO text; PostgreSQL: Date). One mapping to a CallRecord serves both stores.
 */
export interface CallRow<Time> {
  linked_id: string;
  call_sid: string | null;
  did: string | null;
  caller: string | null;
  route_id: string | null;
  route_version: number | null;
  plan: string | null;
  disposition: string;
  answered_by: string | null;
  started_at: Time;
  answered_at: Time | null;
  ended_at: Time | null;
  note: string | null;
  signature: string | null;
}

/** A nullable column as an optional field. */
export const opt = <T>(value: T | null): T | undefined => (value === null ? undefined : value);

export function callRecordFromRow<Time>(
  row: CallRow<Time>,
  steps: readonly CallStep[],
  toIso: (time: Time) => string,
): CallRecord {
  const time = (value: Time | null) => (value === null ? undefined : toIso(value));
  return {
    linkedId: row.linked_id,
    callSid: opt(row.call_sid),
    did: opt(row.did),
    caller: opt(row.caller),
    routeId: opt(row.route_id),
    routeVersion: opt(row.route_version),
    plan: opt(row.plan),
    disposition: row.disposition as Disposition,
    answeredBy: opt(row.answered_by),
    startedAt: toIso(row.started_at),
    answeredAt: time(row.answered_at),
    endedAt: time(row.ended_at),
    note: opt(row.note),
    signature: opt(row.signature),
    steps,
  };
}
