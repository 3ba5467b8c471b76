import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { SessionOutcome } from './agi/index.js';
import type { CallLogCounters } from './store/call-log-writer.js';
import type { OutboxSummaryRow } from './store/message-types.js';

/** A counter the call path increments: `inc({ label: value })`, one per call. */
export interface CallCounter<L extends string> {
  inc(labels: Readonly<Record<L, string>>): void;
}

/** Prometheus metrics (prom-client), served by the admin API at /metrics. */
export interface Metrics {
  readonly registry: Registry;
  readonly sessions: CallCounter<'script' | 'result'>;
  readonly sessionSeconds: Histogram<'script'>;
  readonly routeHits: CallCounter<'route'>;
  readonly configVersion: Gauge;
  /** How each inbound call's X-SB- header set checked out (absent, valid, replayed, …). */
  readonly headerSignatures: CallCounter<'status'>;
  /** 1 while the store answers its health check, 0 while it does not. */
  readonly storeUp: Gauge;
  /** The call log's counts, in the shape its writer reports them. */
  readonly callLog: CallLogCounters;
  /** Calls ended, by disposition (answered, voicemail, abandoned, rejected, unanswered, failed). */
  readonly dispositions: CallCounter<'disposition'>;
  /** Outbound calls refused, by reason (blocked-prefix, not-national, calls-per-minute…). */
  readonly outboundDenials: Counter<'reason'>;
  /** Calls the AGI server sent to the dialplan's static fallback, by reason. */
  readonly fallbacks: Counter<'reason'>;
  /** FastAGI connections refused at accept (not-allowed, capacity, shutting-down). */
  readonly refusedConnections: Counter<'reason'>;
  /** Outbox attempts (texts, voicemail emails) by kind and result: sent, retry, failed. */
  readonly outboxAttempts: Counter<'kind' | 'result'>;
  observeSession(outcome: SessionOutcome): void;
}

export interface MetricSources {
  readonly activeSessions: () => number;
  /** Call-log events waiting to be written. */
  readonly callLogPending: () => number;
  /** The outbox by kind and state (OutboxMonitor's last read). */
  readonly outbox?: () => readonly OutboxSummaryRow[];
}

/**
 * A prom-client counter incremented once per call, with the increments summed here by label
 * values and handed to prom-client when it is read (a scrape): prom-client checks and hashes the
 * labels on every `inc`, which was a measurable share of a session. The label sets are bounded
 * (script names known or `unknown`, route ids, fixed enums), so is this map.
 */
function callCounter<L extends string>(
  registry: Registry,
  configuration: { name: string; help: string; labelNames: readonly [L] | readonly [L, L] },
): CallCounter<L> {
  const pending = new Map<string, { labels: Record<L, string>; count: number }>();
  const [first, second] = configuration.labelNames;
  new Counter<L>({
    ...configuration,
    registers: [registry],
    collect() {
      for (const entry of pending.values()) {
        if (entry.count === 0) continue;
        this.inc(entry.labels as Partial<Record<L, string | number>>, entry.count);
        entry.count = 0;
      }
    },
  });
  return {
    inc(labels) {
      const key = second === undefined ? labels[first] : `${labels[first]}\u0000${labels[second]}`;
      const entry = pending.get(key);
      if (entry) entry.count++;
      else pending.set(key, { labels: { ...labels }, count: 1 });
    },
  };
}

export function createMetrics(sources: MetricSources): Metrics {
  const registry = new Registry();
  // Process metrics (CPU, memory, event-loop lag, handles, GC) with prom-client's standard names.
  collectDefaultMetrics({ register: registry });
  // prom-client also exports three gauges named `…_total` (the sums of the per-type
  // nodejs_active_handles, nodejs_active_requests and nodejs_active_resources it keeps), which
  // `promtool check metrics` rejects: a `_total` suffix promises a counter. The per-type gauges
  // carry the same information, so the sums are left out.
  for (const name of [
    'nodejs_active_handles_total',
    'nodejs_active_requests_total',
    'nodejs_active_resources_total',
  ])
    registry.removeSingleMetric(name);
  const sessions = callCounter(registry, {
    name: 'switchboard_agi_sessions_total',
    help: 'FastAGI sessions served, by script and result (ok, hangup, error, stale: dropped unserved)',
    labelNames: ['script', 'result'] as const,
  });
  const sessionSeconds = new Histogram({
    name: 'switchboard_agi_session_seconds',
    help: 'FastAGI session duration from connect to close',
    labelNames: ['script'] as const,
    buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [registry],
  });
  const routeHits = callCounter(registry, {
    name: 'switchboard_route_hits_total',
    help: 'Inbound calls per matched route (none: no route)',
    labelNames: ['route'] as const,
  });
  const configVersion = new Gauge({
    name: 'switchboard_config_version',
    help: 'Routing configuration version in use',
    registers: [registry],
  });
  new Gauge({
    name: 'switchboard_agi_active_sessions',
    help: 'FastAGI sessions in progress',
    registers: [registry],
    collect() {
      this.set(sources.activeSessions());
    },
  });
  const headerSignatures = callCounter(registry, {
    name: 'switchboard_header_signatures_total',
    help: 'Inbound calls by how their X-SB- header signature checked out',
    labelNames: ['status'] as const,
  });
  const storeUp = new Gauge({
    name: 'switchboard_store_up',
    help: 'Whether the store passed its last health check (1) or not (0)',
    registers: [registry],
  });
  storeUp.set(1);
  const callLogEvents = new Counter({
    name: 'switchboard_call_log_events_total',
    help: 'Call-log events by result: written to the store, or dropped because the buffer was full',
    labelNames: ['result'] as const,
    registers: [registry],
  });
  const callLogWriteFailures = new Counter({
    name: 'switchboard_call_log_write_failures_total',
    help: 'Call-log write attempts that failed (their events stay buffered and are retried)',
    registers: [registry],
  });
  new Gauge({
    name: 'switchboard_call_log_pending_events',
    help: 'Call-log events waiting to be written',
    registers: [registry],
    collect() {
      this.set(sources.callLogPending());
    },
  });
  const dispositions = callCounter(registry, {
    name: 'switchboard_call_dispositions_total',
    help: 'Calls ended, by disposition as written to the call log',
    labelNames: ['disposition'] as const,
  });
  const outboundDenials = new Counter({
    name: 'switchboard_outbound_denials_total',
    help: 'Outbound calls refused by policy or limits, by reason',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  const fallbacks = new Counter({
    name: 'switchboard_fallbacks_total',
    help: "Calls sent to the dialplan's static fallback because the AGI server could not route them, by reason",
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  const refusedConnections = new Counter({
    name: 'switchboard_agi_refused_connections_total',
    help: 'FastAGI connections refused at accept, by reason (not-allowed: not in SB_AGI_ALLOW; capacity: SB_AGI_MAX_SESSIONS reached; shutting-down)',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  const outboxAttempts = new Counter({
    name: 'switchboard_outbox_attempts_total',
    help: 'Delivery attempts of the durable outbox (phone texts, SMS, voicemail emails), by kind and result (sent, retry, failed)',
    labelNames: ['kind', 'result'] as const,
    registers: [registry],
  });
  new Gauge({
    name: 'switchboard_outbox_deliveries',
    help: 'Rows of the durable outbox by kind and state (queued: waiting, e.g. for the mail server)',
    labelNames: ['kind', 'state'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const row of sources.outbox?.() ?? []) this.set({ kind: row.kind, state: row.state }, row.count);
    },
  });
  return {
    registry,
    outboxAttempts,
    refusedConnections,
    dispositions,
    outboundDenials,
    fallbacks,
    sessions,
    sessionSeconds,
    routeHits,
    configVersion,
    headerSignatures,
    storeUp,
    callLog: {
      written: (count) => callLogEvents.inc({ result: 'written' }, count),
      dropped: (count) => callLogEvents.inc({ result: 'dropped' }, count),
      writeFailed: () => callLogWriteFailures.inc(),
    },
    observeSession(outcome) {
      const result = outcome.stale ? 'stale' : outcome.ok ? 'ok' : outcome.hungUp ? 'hangup' : 'error';
      sessions.inc({ script: outcome.script, result });
      sessionSeconds.observe({ script: outcome.script }, outcome.durationMs / 1000);
    },
  };
}
