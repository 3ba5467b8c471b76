import { isIP } from 'node:net';
import { hashToken } from './auth.js';

/**
 * Who may scrape /metrics. Prometheus expects either an open port or a scrape credential of its
 * own; the admin token is neither (it can change routing, so it must not sit in a Prometheus
 * config). So: when the admin API listens on loopback only, nobody else can reach it and
 * /metrics is open; otherwise /metrics needs SB_METRICS_TOKEN as a bearer token, which grants
 * nothing else. See docs/operations.md.
 */
export interface MetricsAccess {
  readonly open: boolean;
  readonly tokenHash: string | undefined;
  /** What a refused scrape is told: the setting to fix. */
  readonly refusal: string;
}

export function isLoopbackHost(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1';
}

export function metricsAccess(apiHost: string, metricsToken: string | undefined): MetricsAccess {
  return {
    open: isLoopbackHost(apiHost),
    tokenHash: metricsToken ? hashToken(metricsToken) : undefined,
    refusal: metricsToken
      ? 'missing or invalid metrics token (send SB_METRICS_TOKEN as a bearer token)'
      : 'the admin API listens beyond loopback: set SB_METRICS_TOKEN and scrape with it as a bearer token',
  };
}

export function metricsAllowed(access: MetricsAccess, authorization: string | undefined): boolean {
  if (access.open) return true;
  if (!access.tokenHash) return false;
  const match = /^Bearer (\S{20,200})$/.exec(authorization ?? '');
  return match?.[1] !== undefined && hashToken(match[1]) === access.tokenHash;
}
