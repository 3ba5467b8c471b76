import { z } from 'zod';
import type { CallLogWriter } from '../store/call-log-writer.js';
import type { OutboxSummaryRow } from '../store/message-types.js';
import type { StoreMonitor } from '../store/store-monitor.js';

/**
 * What /health reports: `degraded` while the store fails its check or call-log writes fail
 * (calls are still routed from the in-memory snapshot; their rows wait in the buffer).
 */
export const healthReportSchema = z.object({
  status: z.enum(['ok', 'degraded']),
  activeSessions: z.number(),
  store: z.object({ ok: z.boolean(), problem: z.string().optional(), since: z.string() }),
  callLog: z.object({
    pending: z.number(),
    failingSince: z.string().optional(),
    error: z.string().optional(),
  }),
  /**
   * The durable outbox (texts, voicemail emails) by kind and state; `oldest` is the oldest row's
   * last change: a queued email waiting since long ago means the mail server is away.
   */
  outbox: z
    .array(z.object({ kind: z.string(), state: z.string(), count: z.number(), oldest: z.string() }))
    .optional(),
});
export type HealthReport = z.infer<typeof healthReportSchema>;

export function healthReport(
  agi: { activeSessions: number },
  monitor: StoreMonitor,
  callLog: CallLogWriter,
  outbox?: readonly OutboxSummaryRow[],
): HealthReport {
  const store = monitor.current;
  const failure = callLog.failure;
  return {
    status: store.ok && !failure ? 'ok' : 'degraded',
    activeSessions: agi.activeSessions,
    store: { ok: store.ok, ...(store.problem ? { problem: store.problem } : {}), since: store.since },
    callLog: {
      pending: callLog.pending,
      ...(failure ? { failingSince: new Date(failure.since).toISOString(), error: failure.error } : {}),
    },
    ...(outbox ? { outbox: [...outbox] } : {}),
  };
}
