import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clockFrom, WEEKDAY_NOON_CHICAGO } from '../support/clock.js';
import { officeConfig } from '../support/routing-fixtures.js';
import { startSwitchboard } from '../support/switchboard.js';
import { RssSampler } from './rss-sampler.js';

/**
 * ≥ 1,000 malformed admin API requests (fast-check, fixed seed) through fastify's own request
 * handling (inject: routing, hooks, body parsing, zod validation): every one must get a clear
 * 4xx with a JSON error, never a 5xx or a 2xx, and the routing document must not change.
 */

const SEED = 20261124;
let started: Awaited<ReturnType<typeof startSwitchboard>>;

beforeAll(async () => {
  started = await startSwitchboard({ seed: officeConfig, clock: clockFrom(new Date(WEEKDAY_NOON_CHICAGO)) });
});
afterAll(async () => {
  await started.switchboard.close(500);
});

/** Bodies that no write endpoint accepts: wrong shapes, wrong types, junk, hostile text. */
const badBody = fc.oneof(
  fc.constant(''),
  fc.string({ maxLength: 200 }).map((text) => `{${text}`),
  fc.constantFrom(
    'null',
    '[]',
    '42',
    '"x"',
    'true',
    '{"__proto__":{"admin":true}}',
    '{"constructor":{"prototype":{}}}',
  ),
  fc
    .record({ did: fc.oneof(fc.integer(), fc.string(), fc.constant(null)), plans: fc.anything() })
    .map((v) => JSON.stringify(v)),
  fc
    .record({
      routes: fc.array(fc.record({ id: fc.string(), did: fc.string() }), { minLength: 1, maxLength: 3 }),
    })
    .map((v) => JSON.stringify(v)),
  fc.record({ unknownKey: fc.anything() }).map((v) => JSON.stringify(v)),
  fc
    .string({ minLength: 1, maxLength: 64 })
    .map((text) => JSON.stringify({ name: `\${SHELL(${text})}`, mailbox: '"; DROP TABLE calls; --' })),
);

/** Hostile text the bodies carry, which no answer and no log line may repeat. */
const ECHO_PROBES = ['${SHELL(', 'DROP TABLE'];

/** Ids of things that do not exist, including traversal and encoding tricks. */
const badId = fc.oneof(
  fc.constantFrom('..%2F..%2Fetc%2Fpasswd', '%00', 'x'.repeat(200), '%E0%A4%A', 'nx-%22%3B', 'NX-UPPER'),
  fc.string({ minLength: 1, maxLength: 30 }).map((text) => `nx-${encodeURIComponent(text)}`),
);

const contentType = fc.constantFrom(
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=latin1',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/json; charset="utf-16"',
);

interface BadRequest {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';
  readonly url: string;
  readonly body: string | undefined;
  readonly headers: Record<string, string>;
}

const writeTargets = ['/apply', '/routes/', '/schedules/', '/extensions/', '/outbound/trunks/', '/explain'];

const badRequest: fc.Arbitrary<BadRequest> = fc.oneof(
  // Writes with bodies nothing accepts (or in an encoding we refuse).
  fc
    .record({
      target: fc.constantFrom(...writeTargets),
      id: badId,
      body: badBody,
      type: contentType,
      gzip: fc.boolean(),
    })
    .map(({ target, id, body, type, gzip }) => ({
      method: target === '/apply' || target === '/explain' ? ('POST' as const) : ('PUT' as const),
      url: target.endsWith('/') ? `${target}${id}` : target,
      body,
      headers: { 'content-type': type, ...(gzip ? { 'content-encoding': 'gzip' } : {}) },
    })),
  // Deletes of what does not exist.
  fc
    .record({ target: fc.constantFrom('/routes/', '/schedules/', '/extensions/'), id: badId })
    .map(({ target, id }) => ({
      method: 'DELETE' as const,
      url: `${target}${id}`,
      body: undefined,
      headers: {},
    })),
  // Reads with bad query strings (each path with values its schema refuses).
  fc
    .constantFrom(
      '/history?limit=-1',
      '/history?limit=abc',
      '/history?limit=100000',
      '/diff?from=0',
      '/diff?from=x&to=y',
      '/diff',
      '/calls?since=yesterday',
      '/calls?disposition=%24%7B%7D',
      `/calls?did=${'x'.repeat(40)}`,
      '/calls?limit=0',
      '/calls?until=2026-13-45T99:00:00Z',
      '/history/0',
      '/history/abc',
    )
    .map((url) => ({ method: 'GET' as const, url, body: undefined, headers: {} })),
  // Reads of things that do not exist.
  fc
    .record({ path: fc.constantFrom('/calls/', '/routes/', '/schedules/', '/nowhere/'), id: badId })
    .map(({ path, id }) => ({ method: 'GET' as const, url: `${path}${id}`, body: undefined, headers: {} })),
  // Methods that do not exist on a path, and requests without a valid token.
  fc
    .record({
      url: fc.constantFrom('/routes', '/apply', '/config', '/rollback'),
      auth: fc.constantFrom('none', 'junk', 'basic'),
    })
    .map(({ url, auth }) => ({
      method: 'PATCH' as const,
      url,
      body: '{}',
      headers: {
        'content-type': 'application/json',
        ...(auth === 'junk' ? { authorization: 'Bearer sb_junkjunkjunkjunkjunkjunk' } : {}),
        ...(auth === 'basic' ? { authorization: 'Basic YWRtaW46YWRtaW4=' } : {}),
      },
      noToken: true,
    })),
);

describe('admin API fuzz: malformed requests', () => {
  it('answers 1,000 malformed requests with a clear 4xx and changes nothing', async () => {
    const app = started.switchboard.api;
    if (!app) throw new Error('no admin API');
    const before = {
      version: started.switchboard.routing.snapshot.version,
      config: structuredClone(started.switchboard.routing.config),
    };
    const logLinesBefore = started.log.lines.length;
    const requests = fc.sample(badRequest, { numRuns: 1_000, seed: SEED });
    const rss = new RssSampler();
    const statuses: Record<number, number> = {};
    const wrong: string[] = [];
    for (const request of requests) {
      const noToken = 'noToken' in request;
      const response = await app.inject({
        method: request.method,
        url: request.url,
        headers: { ...(noToken ? {} : { authorization: `Bearer ${started.token}` }), ...request.headers },
        ...(request.body === undefined ? {} : { payload: request.body }),
      });
      statuses[response.statusCode] = (statuses[response.statusCode] ?? 0) + 1;
      const clear =
        response.statusCode >= 400 &&
        response.statusCode < 500 &&
        typeof response.json().error === 'string' &&
        !ECHO_PROBES.some((probe) => response.body.includes(probe));
      if (!clear)
        wrong.push(
          `${request.method} ${request.url} -> ${response.statusCode} ${response.body.slice(0, 120)}`,
        );
      rss.sample();
    }
    console.info(
      `admin API fuzz: ${JSON.stringify({ requests: requests.length, statuses, notClear4xx: wrong.length, maxRssMiB: rss.maxMiB })}`,
    );
    expect(wrong.slice(0, 5)).toEqual([]);
    // What the fuzz logged: no errors (a client's mistake is not the server's), and no line that
    // is long or repeats hostile text (the log is not a channel for the attacker's bytes).
    const logged = started.log.lines.slice(logLinesBefore).map((line) => JSON.stringify(line));
    expect(started.log.lines.slice(logLinesBefore).filter((line) => Number(line.level) >= 50)).toEqual([]);
    expect(logged.filter((line) => line.length > 2_000).slice(0, 3)).toEqual([]);
    expect(logged.filter((line) => ECHO_PROBES.some((probe) => line.includes(probe))).slice(0, 3)).toEqual(
      [],
    );
    expect(started.switchboard.routing.snapshot.version).toBe(before.version);
    expect(started.switchboard.routing.config).toEqual(before.config);
    expect((await started.switchboard.routing.history(10)).length).toBe(1);

    // Still a working API: a valid request is answered as before the fuzz.
    const explained = await app.inject({
      method: 'POST',
      url: '/explain',
      headers: { authorization: `Bearer ${started.token}` },
      payload: { to: '+19863334949' },
    });
    expect(explained.statusCode).toBe(200);
    expect(explained.json()).toMatchObject({ route: { id: 'main' }, planKey: 'open' });
  });
});
