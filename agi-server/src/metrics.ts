import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { SessionOutcome } from './agi/index.js';

/** Prometheus metrics (prom-client), served by the admin API at /metrics. */
export interface Metrics {
  readonly registry: Registry;
  readonly sessions: Counter<'script' | 'result'>;
  readonly sessionSeconds: Histogram<'script'>;
  readonly routeHits: Counter<'route'>;
  readonly configVersion: Gauge;
  observeSession(outcome: SessionOutcome): void;
}

export function createMetrics(activeSessions: () => number): Metrics {
  const registry = new Registry();
  const sessions = new Counter({
    name: 'switchboard_agi_sessions_total',
    help: 'FastAGI sessions served, by script and result (ok, hangup, error)',
    labelNames: ['script', 'result'] as const,
    registers: [registry],
  });
  const sessionSeconds = new Histogram({
    name: 'switchboard_agi_session_seconds',
    help: 'FastAGI session duration from connect to close',
    labelNames: ['script'] as const,
    buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [registry],
  });
  const routeHits = new Counter({
    name: 'switchboard_route_hits_total',
    help: 'Inbound calls per matched route (none: no route)',
    labelNames: ['route'] as const,
    registers: [registry],
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
      this.set(activeSessions());
    },
  });
  return {
    registry,
    sessions,
    sessionSeconds,
    routeHits,
    configVersion,
    observeSession(outcome) {
      const result = outcome.ok ? 'ok' : outcome.hungUp ? 'hangup' : 'error';
      sessions.inc({ script: outcome.script, result });
      sessionSeconds.observe({ script: outcome.script }, outcome.durationMs / 1000);
    },
  };
}
