import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeAsterisk } from '../support/fake-asterisk.js';
import { officeConfig } from '../support/routing-fixtures.js';
import { startSwitchboard } from '../support/switchboard.js';

let started: Awaited<ReturnType<typeof startSwitchboard>>;

async function api(method: string, path: string, body?: unknown, token: string | null = started.token) {
  const response = await fetch(`${started.apiUrl}${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      'x-switchboard-author': 'ann',
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  let json: unknown = text;
  try {
    json = JSON.parse(text);
  } catch {
    // Prometheus text and the like stay text.
  }
  return { status: response.status, json, text };
}

beforeAll(async () => {
  started = await startSwitchboard({ seed: officeConfig, clock: () => new Date('2026-11-23T16:00:00Z') });
});
afterAll(async () => {
  await started.switchboard.close(500);
});

describe('admin API: auth', () => {
  it('generated a token at first start and refuses requests without a valid one', async () => {
    expect(started.token).toMatch(/^sb_[A-Za-z0-9_-]{43}$/);
    expect((await api('GET', '/routes', undefined, null)).status).toBe(401);
    expect((await api('GET', '/routes', undefined, `sb_${'x'.repeat(43)}`)).status).toBe(401);
    expect((await api('GET', '/routes')).status).toBe(200);
  });

  it('keeps only the hash of the token', async () => {
    expect(await started.switchboard.store.findAdminToken(started.token)).toBeUndefined();
  });

  it('answers /health without a token', async () => {
    expect(await api('GET', '/health', undefined, null)).toMatchObject({
      status: 200,
      json: { status: 'ok', version: 1 },
    });
  });
});

describe('admin API: configuration', () => {
  it('creates, reads and deletes a route, each change a new version by its author', async () => {
    const put = await api('PUT', '/routes/support', {
      did: '(986) 333-4960',
      plans: { open: [{ type: 'extension', extension: '102' }] },
    });
    expect(put).toMatchObject({ status: 200, json: { summary: 'put route support' } });
    const version = (put.json as { version: number }).version;
    expect(await api('GET', '/routes/support')).toMatchObject({
      status: 200,
      json: { id: 'support', did: '+19863334960' },
    });
    expect(started.switchboard.routing.snapshot.version).toBe(version);
    const history = await api('GET', '/history?limit=1');
    expect(history.json).toMatchObject([{ version, author: 'ann', summary: 'put route support' }]);
    expect(await api('DELETE', '/routes/support')).toMatchObject({
      status: 200,
      json: { version: version + 1 },
    });
    expect((await api('GET', '/routes/support')).status).toBe(404);
    expect((await api('DELETE', '/routes/support')).status).toBe(404);
  });

  it('makes no new version for a change that changes nothing, and says so', async () => {
    const route = { did: '+19863334961', plans: { open: [{ type: 'extension', extension: '101' }] } };
    const first = await api('PUT', '/routes/same', route);
    expect(first).toMatchObject({ status: 200, json: { changed: true } });
    const version = (first.json as { version: number }).version;
    expect(await api('PUT', '/routes/same', route)).toMatchObject({
      status: 200,
      json: { version, changed: false, summary: `no change: version ${version} stays current` },
    });
    expect(await api('POST', '/apply', { routes: [{ id: 'same', ...route }] })).toMatchObject({
      json: { version, changed: false },
    });
    expect(((await api('GET', '/history?limit=1')).json as Array<{ version: number }>)[0]?.version).toBe(
      version,
    );
    expect(await api('DELETE', '/routes/same')).toMatchObject({
      json: { version: version + 1, changed: true },
    });
  });

  it('refuses a body in another Content-Encoding or charset with 415, and changes nothing', async () => {
    const before = started.switchboard.routing.snapshot.version;
    const body = JSON.stringify({
      routes: [
        { id: 'enc', did: '+19863334962', plans: { open: [{ type: 'extension', extension: '101' }] } },
      ],
    });
    const refusedHeaders: Array<Record<string, string>> = [
      { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      { 'content-type': 'application/json', 'content-encoding': 'br, identity' },
      { 'content-type': 'application/json; charset=latin1' },
      { 'content-type': 'application/json; charset="utf-16"' },
    ];
    for (const headers of refusedHeaders) {
      const response = await fetch(`${started.apiUrl}/apply`, {
        method: 'POST',
        headers: { authorization: `Bearer ${started.token}`, ...headers },
        body,
      });
      expect(response.status).toBe(415);
    }
    expect(started.switchboard.routing.snapshot.version).toBe(before);
    const ok = await fetch(`${started.apiUrl}/apply`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${started.token}`,
        'content-type': 'application/json; charset=UTF-8',
      },
      body,
    });
    expect(ok.status).toBe(200);
    expect((await api('DELETE', '/routes/enc')).status).toBe(200);
  });

  it('answers a bad body with 400 and zod issue paths, and changes nothing', async () => {
    const before = started.switchboard.routing.snapshot.version;
    const bad = await api('PUT', '/routes/bad', {
      did: '+19863334961',
      plans: { open: [{ type: 'extension', extension: 'x1' }] },
    });
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({
      error: 'invalid request',
      issues: [{ path: 'body.plans.open.0.extension' }],
    });

    const dangling = await api('PUT', '/routes/bad', {
      did: '+19863334961',
      plans: { open: [{ type: 'extension', extension: '999' }] },
    });
    expect(dangling).toMatchObject({
      status: 400,
      json: {
        error: 'invalid configuration',
        issues: [
          // Keyed by the route's id, not its position: an editor can put it beside the field.
          { path: 'routes.bad.plans.open.0', message: 'unknown extension 999' },
        ],
      },
    });
    const unknownKey = await api('PUT', '/extensions/103', { name: 'Support', pin: '1234' });
    expect(unknownKey.status).toBe(400);
    expect(started.switchboard.routing.snapshot.version).toBe(before);
    expect((await api('GET', '/routes/bad')).status).toBe(404);
  });

  it('refuses to delete what a route still uses', async () => {
    const response = await api('DELETE', '/extensions/102');
    expect(response.status).toBe(400);
    expect(response.json).toMatchObject({ error: 'invalid configuration' });
  });

  it('applies an outbound section, reads and deletes a trunk, refuses to delete one still in use', async () => {
    const outbound = {
      ownedNumbers: ['+19863334949'],
      trunks: [
        { id: 'east', endpoint: 'twilio-east' },
        { id: 'west', endpoint: 'twilio-west' },
      ],
      policies: [{ id: 'default', allow: 'national', trunks: ['east'] }],
    };
    const saved = (await api('GET', '/outbound')).json;
    expect((await api('POST', '/apply', { outbound })).status).toBe(200);
    expect((await api('GET', '/outbound/trunks/west')).json).toMatchObject({
      id: 'west',
      endpoint: 'twilio-west',
    });
    expect((await api('DELETE', '/outbound/trunks/east')).status).toBe(400);
    expect((await api('DELETE', '/outbound/trunks/west')).status).toBe(200);
    expect((await api('GET', '/outbound/trunks/west')).status).toBe(404);
    expect(started.switchboard.routing.config.outbound.trunks.map((trunk) => trunk.id)).toEqual(['east']);
    // The tests below start from the section as it was.
    expect((await api('POST', '/apply', { outbound: saved })).status).toBe(200);
  });

  it('applies a bundle in one version, diffs it and rolls it back one step', async () => {
    const before = started.switchboard.routing.snapshot.version;
    const applied = await api('POST', '/apply', {
      extensions: [{ number: '103', name: 'Support' }],
      schedules: [
        {
          id: 'weekend',
          name: 'Weekend',
          timeZone: 'Europe/London',
          weekly: [{ days: ['sat', 'sun'], open: '10:00', close: '14:00' }],
        },
      ],
      routes: [
        {
          id: 'weekend-line',
          did: '+19863334962',
          schedule: 'weekend',
          plans: { open: [{ type: 'extension', extension: '103' }] },
        },
      ],
    });
    expect(applied).toMatchObject({ status: 200, json: { version: before + 1 } });
    const diff = (await api('GET', `/diff?from=${before}`)).json as {
      to: number;
      changes: Array<{ path: string; kind: string }>;
    };
    expect(diff.to).toBe(before + 1);
    expect(diff.changes.map((change) => `${change.kind} ${change.path}`)).toEqual([
      'added extensions.103',
      'added schedules.weekend',
      'added routes.weekend-line',
    ]);
    const rolledBack = await api('POST', '/rollback');
    expect(rolledBack).toMatchObject({
      status: 200,
      json: { version: before + 2, summary: `rollback to version ${before}` },
    });
    expect(started.switchboard.routing.snapshot.routesById.has('weekend-line')).toBe(false);
    expect((await api('GET', `/history/${before + 2}`)).json).toMatchObject({
      author: 'ann',
      restoredFrom: before,
    });
  });

  it('explains a call: matched route, version, plan in force and every step', async () => {
    const explained = await api('POST', '/explain', {
      from: '+15557654321',
      to: '9863334949',
      at: '2026-11-24T02:00:00Z',
    });
    expect(explained).toMatchObject({
      status: 200,
      json: {
        did: '+19863334949',
        route: { id: 'main' },
        planKey: 'closed',
        plan: [{ action: 'voicemail', label: 'voicemail 100' }],
      },
    });
    expect((await api('POST', '/explain', { to: '+19863334949', at: 'yesterday' })).status).toBe(400);
  });
});

describe('admin API: calls, metrics, OpenAPI', () => {
  it('lists and filters the call log, and shows one call with its steps', async () => {
    const asterisk = await FakeAsterisk.start(started.agiPort, 'inbound?did=%2B19863334949&linkedid=55.1');
    await asterisk.serve();
    await started.switchboard.callLog.flush();
    const list = await api('GET', '/calls?did=%2B19863334949&limit=5');
    expect(list.json).toMatchObject([{ linkedId: '55.1', routeId: 'main', disposition: 'in-progress' }]);
    // The DID as dialled finds the same rows (the log keeps E.164).
    expect((await api('GET', '/calls?did=9863334949&limit=5')).json).toMatchObject([{ linkedId: '55.1' }]);
    expect((await api('GET', '/calls?disposition=answered')).json).toEqual([]);
    expect((await api('GET', '/calls?disposition=bogus')).status).toBe(400);
    expect((await api('GET', '/calls/55.1')).json).toMatchObject({
      steps: [{ attempt: 0, label: 'ring-group 100,101 for 20s' }],
    });
    expect((await api('GET', '/calls/none')).status).toBe(404);
  });

  it('serves Prometheus metrics: sessions, latency, route hits, version', async () => {
    const metrics = await api('GET', '/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.text).toMatch(/switchboard_agi_sessions_total\{script="inbound",result="ok"\} \d+/);
    expect(metrics.text).toContain('switchboard_agi_session_seconds_bucket');
    expect(metrics.text).toMatch(/switchboard_route_hits_total\{route="main"\} \d+/);
    expect(metrics.text).toMatch(/switchboard_config_version \d+/);
  });

  it('serves an OpenAPI document describing the routes', async () => {
    const doc = (await api('GET', '/openapi.json', undefined, null)).json as {
      openapi: string;
      paths: Record<string, unknown>;
    };
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/routes/{id}', '/explain', '/calls', '/rollback', '/history']),
    );
  });
});

describe('admin API: outbound policy objects', () => {
  it('sets a trunk, owned numbers and a policy, then explains numbers against them', async () => {
    expect((await api('PUT', '/outbound/trunks/east', { endpoint: 'twilio-east' })).status).toBe(200);
    const outbound = (await api('GET', '/outbound')).json as Record<string, unknown>;
    expect(
      (
        await api('PUT', '/outbound', {
          ...outbound,
          ownedNumbers: ['+19863334949'],
          defaultCallerId: '+19863334949',
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await api('PUT', '/outbound/policies/default', {
          allow: 'countries',
          countries: ['GB'],
          callsPerMinute: 5,
        })
      ).status,
    ).toBe(200);
    expect((await api('GET', '/outbound/policies')).json).toMatchObject([
      { id: 'default', allow: 'countries', countries: ['GB'], callsPerMinute: 5 },
    ]);

    const allowed = await api('POST', '/outbound/explain', { extension: '100', dialled: '9011442071838750' });
    expect(allowed.json).toMatchObject({
      verdict: {
        kind: 'external',
        number: '+442071838750',
        callerId: '+19863334949',
        trunks: [{ id: 'east' }],
      },
      attempts: [
        { action: 'dial', dial: 'PJSIP/+442071838750@twilio-east', label: '+442071838750 via trunk east' },
      ],
    });
    const denied = await api('POST', '/outbound/explain', { extension: '100', dialled: '919005550100' });
    expect(denied.json).toMatchObject({ verdict: { kind: 'denied', reason: 'blocked-prefix' } });
  });

  it('refuses a policy naming an unknown trunk, with the path, and changes nothing', async () => {
    const before = started.switchboard.routing.snapshot.version;
    const response = await api('PUT', '/outbound/policies/sales', { allow: 'national', trunks: ['nowhere'] });
    expect(response).toMatchObject({
      status: 400,
      json: { issues: [{ path: 'outbound.policies.sales.trunks.0', message: 'unknown trunk nowhere' }] },
    });
    expect(started.switchboard.routing.snapshot.version).toBe(before);
  });
});
