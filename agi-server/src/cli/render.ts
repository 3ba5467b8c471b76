import type { FieldChange } from '../routing/diff.js';
import type { Explanation } from '../routing/explain.js';
import { formatInZone } from '../routing/schedule.js';
import type { CallRecord } from '../store/types.js';
import { table } from './format.js';

/** Plain text for the terminal: explain, the call log, field-level changes. */

/** The zone this machine's clock reads in (TZ), for times that belong to no schedule. */
export function localZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

export function duration(from: string | undefined, to: string | undefined): string {
  if (!from || !to) return '-';
  const seconds = Math.max(0, Math.round((Date.parse(to) - Date.parse(from)) / 1000));
  const minutes = Math.floor(seconds / 60);
  return minutes ? `${minutes}m${String(seconds % 60).padStart(2, '0')}s` : `${seconds}s`;
}

export function explanationText(explanation: Explanation): string {
  const lines: string[] = [];
  const zone = explanation.schedule?.timeZone;
  const when = zone
    ? `${explanation.schedule?.localTime} (${zone}, schedule ${explanation.schedule?.id})`
    : `${formatInZone(new Date(explanation.at), localZone())} (${localZone()}; the route has no schedule)`;
  lines.push(`${explanation.did ?? '?'} at ${when}`);
  lines.push(`  why: ${explanation.because}`);
  if (!explanation.route && !explanation.plan.length) {
    lines.push(`  result: ${explanation.first.label}`);
    return lines.join('\n');
  }
  lines.push(
    `  route ${explanation.route?.id ?? '(unknown DID plan)'}${explanation.route?.name ? ` "${explanation.route.name}"` : ''}, ${explanation.planKey} plan, version ${explanation.version}:`,
  );
  explanation.plan.forEach((step, index) => {
    lines.push(`    ${index + 1}. ${step.label}`);
  });
  const { ring } = explanation;
  if (ring) {
    const then =
      ring.until === 'voicemail'
        ? 'before voicemail answers'
        : ring.until === 'reject'
          ? 'before the reject step'
          : ring.until === 'menu'
            ? 'before the menu answers'
            : 'in all';
    lines.push(
      `  total ring time: up to ${ring.seconds}s ${then} (the Twilio edge waits ${ring.edgeWaitSeconds}s)`,
    );
  }
  return lines.join('\n');
}

/** One call-log row: times on this machine's clock, duration, and why it ended as it did. */
export function callRow(call: CallRecord): string[] {
  return [
    formatInZone(new Date(call.startedAt), localZone()),
    call.linkedId,
    call.did ?? '-',
    call.caller ?? '-',
    call.routeId ?? '-',
    call.disposition,
    call.answeredBy ?? '-',
    call.endedAt ? duration(call.startedAt, call.endedAt) : 'ongoing',
    call.note ?? reasonOf(call),
  ];
}

export const CALL_HEADERS = [
  'STARTED',
  'LINKEDID',
  'DID',
  'CALLER',
  'ROUTE',
  'DISPOSITION',
  'ANSWERED BY',
  'DURATION',
  'REASON',
];

/** Why a call ended as it did, from its last step when the log has no note. */
function reasonOf(call: CallRecord): string {
  const last = call.steps.at(-1);
  if (!last) return call.routeId ? '' : 'no route';
  return last.outcome ? `${last.label}: ${last.outcome}` : last.label;
}

/** `calls show`: every step, its outcome and time, on the schedule's clock. */
export function callTimeline(call: CallRecord & { timeZone?: string }): string {
  const zone = call.timeZone ?? localZone();
  const at = (iso: string) => formatInZone(new Date(iso), zone);
  const events: Array<[string, string]> = [
    [call.startedAt, `call from ${call.caller ?? '?'} to ${call.did ?? '?'}`],
  ];
  for (const step of call.steps) {
    events.push([
      step.at,
      `step ${step.attempt + 1}: ${step.label} -> ${step.outcome ?? (call.endedAt ? 'no outcome' : 'ringing')}`,
    ]);
  }
  if (call.answeredAt)
    events.push([call.answeredAt, `answered${call.answeredBy ? ` by ${call.answeredBy}` : ''}`]);
  if (call.endedAt)
    events.push([call.endedAt, `ended: ${call.disposition}${call.note ? ` (${call.note})` : ''}`]);
  events.sort((a, b) => Date.parse(a[0]) - Date.parse(b[0]));
  return [
    `call ${call.linkedId}  CallSid ${call.callSid ?? '-'}  route ${call.routeId ?? '-'} (version ${call.routeVersion ?? '-'}, ${call.plan ?? '-'} plan)`,
    `${call.disposition}, ${call.endedAt ? duration(call.startedAt, call.endedAt) : 'in progress'}; times in ${zone}${call.timeZone ? ' (the schedule zone)' : ' (this machine; the route has no schedule)'}`,
    ...events.map(([time, text]) => `  ${at(time)}  ${text}`),
  ].join('\n');
}

const show = (value: unknown) =>
  value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value);

export function changesText(changes: readonly FieldChange[]): string {
  if (!changes.length) return 'no changes';
  return table(
    ['FIELD', 'CHANGE', 'BEFORE', 'AFTER'],
    changes.map((change) => [change.path, change.kind, show(change.before), show(change.after)]),
  );
}
