import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { metricsAccess, metricsAllowed } from '../../agi-server/src/api/metrics-access.js';
import { FakeAsterisk } from '../support/fake-asterisk.js';
import { officeConfig } from '../support/routing-fixtures.js';
import { startSwitchboard } from '../support/switchboard.js';

// Review before apply, export that applies back unchanged, rollback to any version, explain
// that says why, the OpenAPI document, /docs, /metrics and the console's files.

let started: Awaited<ReturnType<typeof startSwitchboard>>;

async function api(method: string, path: string, body?: unknown, token: string | null = started.token) {
  const response = await fetch(`${started.apiUrl}${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  const type = response.headers.get('content-type') ?? '';
  // biome-ignore lint/suspicious/noExplicitAny: test helper reads whatever JSON came back
  const json: any = type.includes('json') ? JSON.parse(text) : undefined;
  return { status: response.status, json, text, type };
}

const version = () => started.switchboard.routing.snapshot.version;

beforeAll(async () => {
  started = await startSwitchboard({ seed: officeConfig, clock: () => new Date('2026-11-23T16:00:00Z') });
});
afterAll(async () => {
  await started.switchboard.close(500);
});

describe('review before apply', () => {
  it('dry-run answers the field-level diff and stores nothing', async () => {
    const route = (await api('GET', '/routes/main')).json;
    route.plans.open[0].timeoutSeconds = 25;
    const before = version();
    const review = await api('POST', '/apply?dryRun=true', { routes: [route] });
    expect(review.status).toBe(200);
    expect(review.json).toEqual({
      basedOn: before,
      valid: true,
      issues: [],
      changes: [{ path: 'routes.main.plans.open.0.timeoutSeconds', kind: 'changed', before: 20, after: 25 }],
    });
    expect(version()).toBe(before);
  });

  it('dry-run of an invalid document answers its issues at keyed paths and stores nothing', async () => {
    const route = (await api('GET', '/routes/nights')).json;
    const before = version();
    const review = await api('POST', '/apply?dryRun=true', {
      routes: [{ ...route, did: 'abc', schedule: 'nowhere' }],
    });
    expect(review.json).toMatchObject({
      valid: false,
      changes: [],
      issues: [
        { path: 'routes.nights.did', message: 'not a phone number: abc' },
        { path: 'routes.nights.schedule', message: 'unknown schedule nowhere' },
      ],
    });
    expect(version()).toBe(before);
  });

  it('export is YAML that apply takes back with no changes', async () => {
    const exported = await api('GET', '/export');
    expect(exported.type).toContain('yaml');
    expect(exported.text).toMatch(/^# Switchboard routing document, version \d+/);
    const document = parse(exported.text);
    const review = await api('POST', '/apply?dryRun=true', document);
    expect(review.json).toMatchObject({ valid: true, changes: [] });
    // Applying it back changes nothing, so no version is made.
    const before = version();
    const applied = await api('POST', '/apply', document);
    expect(applied).toMatchObject({ status: 200, json: { version: before, changed: false } });
    expect(version()).toBe(before);
  });

  it('rolls back to any version, as a new version that says which', async () => {
    await api('PUT', '/extensions/109', { name: 'Temp' });
    await api('PUT', '/extensions/110', { name: 'Temp two' });
    const latest = version();
    const rolledBack = await api('POST', '/rollback', { to: 1 });
    expect(rolledBack.json).toEqual({ version: latest + 1, summary: 'rollback to version 1', changed: true });
    expect((await api('GET', '/diff?from=1')).json.changes).toEqual([]);
    expect((await api('GET', `/history/${latest + 1}`)).json).toMatchObject({ restoredFrom: 1 });
    expect((await api('POST', '/rollback', { to: 999 })).status).toBe(404);
  });
});

describe('explain', () => {
  it('names the closure that decided, on the schedule clock', async () => {
    const explained = await api('POST', '/explain', { to: '9863334949', at: '2026-12-25T10:00:00-06:00' });
    expect(explained.json).toMatchObject({
      planKey: 'holiday',
      schedule: {
        id: 'office',
        timeZone: 'America/Chicago',
        localTime: 'Fri 2026-12-25 10:00:00 GMT-06:00',
        closure: { date: '2026-12-25', name: 'Christmas' },
      },
    });
    expect(explained.json.because).toBe(
      'route main takes +19863334949; holiday plan: closure "Christmas" (2026-12-25) in schedule office',
    );
  });

  it('reads a time without offset on the schedule clock, and names the hours that decided', async () => {
    const explained = await api('POST', '/explain', { to: '+19863334949', at: '2026-11-24T08:59' });
    expect(explained.json).toMatchObject({ planKey: 'closed', at: '2026-11-24T14:59:00.000Z' });
    expect(explained.json.because).toContain('outside the weekly hours of schedule office');
    const open = await api('POST', '/explain', { to: '+19863334949', at: '2026-11-24T09:00' });
    expect(open.json.because).toContain('weekly hours mon,tue,wed,thu,fri 09:00-17:00');
  });

  it("rejects a number that isn't one with the store's own message", async () => {
    const explained = await api('POST', '/explain', { to: 'abc' });
    expect(explained).toMatchObject({
      status: 400,
      json: { issues: [{ path: 'body.to', message: 'not a phone number: abc' }] },
    });
  });
});

describe('API description, docs, console', () => {
  it('gives every operation an id, a summary and its error responses', async () => {
    const document = (await api('GET', '/openapi.json', undefined, null)).json;
    type Operation = { operationId?: string; summary?: string; responses: Record<string, unknown> };
    const operations = Object.entries(document.paths as Record<string, Record<string, Operation>>).flatMap(
      ([path, methods]) =>
        Object.entries(methods).map(([method, operation]) => ({ path, method, operation })),
    );
    expect(operations.length).toBeGreaterThan(25);
    const ids = new Set<string>();
    for (const { path, method, operation } of operations) {
      const where = `${method} ${path}`;
      expect(operation.operationId, where).toMatch(/^[a-z][A-Za-z]+$/);
      expect(operation.summary, where).toBeTruthy();
      expect(Object.keys(operation.responses), where).toEqual(
        expect.arrayContaining(['400', '404', '500', '503']),
      );
      ids.add(String(operation.operationId));
    }
    expect(ids.size).toBe(operations.length);
    expect(document.paths['/routes/{id}'].put.responses['401']).toBeDefined();
    expect(document.paths['/health'].get.responses['401']).toBeUndefined();
    // The store outage's 503 is documented with Retry-After advice; /health keeps its own 503 body.
    expect(document.paths['/calls'].get.responses['503'].description).toContain('Retry-After');
    expect(document.paths['/health'].get.responses['503'].description).not.toContain('Retry-After');
  });

  it('serves the docs page and the console without a token, the API only with one', async () => {
    expect(await api('GET', '/docs', undefined, null)).toMatchObject({ status: 200 });
    expect((await api('GET', '/docs', undefined, null)).text).toContain('swagger');
    const page = await api('GET', '/console/', undefined, null);
    expect(page.status).toBe(200);
    expect(page.text).toContain('"preact": "/console/vendor/preact/preact.mjs"');
    const policy = (await fetch(`${started.apiUrl}/console/`)).headers.get('content-security-policy');
    expect(policy).toMatch(/script-src 'self' 'sha256-[A-Za-z0-9+/]{43}='/);
    expect(policy).toContain("frame-ancestors 'none'");
    for (const module of [
      '/console/vendor/preact/preact.mjs',
      '/console/vendor/preact-hooks/hooks.mjs',
      '/console/vendor/htm/htm.mjs',
    ]) {
      const served = await api('GET', module, undefined, null);
      expect(served.status, module).toBe(200);
      expect(served.type, module).toContain('javascript');
    }
    // Only the ES modules of the vendored packages are served, nothing else in their folders.
    expect((await api('GET', '/console/vendor/htm/htm.js', undefined, null)).status).toBe(404);
    const outside = await api('GET', '/console/%2e%2e/%2e%2e/package.json', undefined, null);
    expect(outside.status).toBeGreaterThanOrEqual(400);
    expect(outside.text).not.toContain('"dependencies"');
    expect((await api('GET', '/calls', undefined, null)).status).toBe(401);
  });
});

describe('/metrics', () => {
  it('is open on loopback, with process metrics and the call counters', async () => {
    const asterisk = await FakeAsterisk.start(started.agiPort, 'inbound?did=%2B19863334949&linkedid=m.1');
    await asterisk.serve();
    const hangup = await FakeAsterisk.start(
      started.agiPort,
      'hangup?linkedid=m.1&action=dial&step=0&dialstatus=ANSWER&peer=PJSIP%2F100-00000001&answeredms=1000',
    );
    await hangup.serve();
    const unknown = await FakeAsterisk.start(started.agiPort, 'no-such-script');
    await unknown.serve();

    const metrics = await api('GET', '/metrics', undefined, null);
    expect(metrics.status).toBe(200);
    expect(metrics.type).toContain('text/plain');
    expect(metrics.text).toContain('process_cpu_user_seconds_total');
    expect(metrics.text).toContain('nodejs_eventloop_lag_seconds');
    expect(metrics.text).toContain('switchboard_call_dispositions_total{disposition="answered"} 1');
    expect(metrics.text).toContain('switchboard_fallbacks_total{reason="unknown-script"} 1');
    expect(metrics.text).toContain('# TYPE switchboard_outbound_denials_total counter');
    expect(metrics.text).toContain('switchboard_header_signatures_total{status="absent"} 1');
    expect(metrics.text).toContain('# TYPE switchboard_call_log_write_failures_total counter');
  });
});

describe('who may scrape /metrics', () => {
  it('is open on loopback only; beyond it, only SB_METRICS_TOKEN (never the admin token) scrapes', () => {
    expect(metricsAllowed(metricsAccess('127.0.0.1', undefined), undefined)).toBe(true);
    expect(metricsAllowed(metricsAccess('::1', undefined), undefined)).toBe(true);
    const closed = metricsAccess('0.0.0.0', undefined);
    expect(metricsAllowed(closed, undefined)).toBe(false);
    expect(closed.refusal).toContain('SB_METRICS_TOKEN');
    const scrape = metricsAccess('0.0.0.0', 'scrape-token-0123456789');
    expect(metricsAllowed(scrape, 'Bearer scrape-token-0123456789')).toBe(true);
    expect(metricsAllowed(scrape, `Bearer ${started.token}`)).toBe(false);
    expect(metricsAllowed(scrape, undefined)).toBe(false);
  });
});
