import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken, tokenId } from '../../agi-server/src/api/auth.js';
import { AuthThrottle } from '../../agi-server/src/api/auth-throttle.js';
import { officeConfig } from '../support/routing-fixtures.js';
import { startSwitchboard } from '../support/switchboard.js';

// The admin API as an attacker on the same network would probe it (issue 16, "Hardening"):
// caching and sniffing headers, the console's vendor modules, wrong tokens, who made a change,
// slow clients.

let started: Awaited<ReturnType<typeof startSwitchboard>>;
/** The API's clock (the throttle's windows run on it): moved by the tests. */
let now = new Date('2026-11-23T16:00:00Z').getTime();
const MAX_FAILURES = 3;
const WINDOW_MS = 60_000;
const WRONG = 'sb_wrongwrongwrongwrongwrongwrongwrong';

async function call(path: string, token: string | null, init: RequestInit = {}) {
  return fetch(`${started.apiUrl}${path}`, {
    ...init,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(init.body ? { 'content-type': 'application/json' } : {}),
      ...(init.headers as Record<string, string> | undefined),
    },
  });
}

async function authFailures(): Promise<Record<string, number>> {
  const text = await (await call('/metrics', null)).text();
  const counts: Record<string, number> = {};
  for (const match of text.matchAll(/^switchboard_api_auth_failures_total\{result="(\w+)"\} (\d+)$/gm))
    counts[match[1] as string] = Number(match[2]);
  return counts;
}

beforeAll(async () => {
  started = await startSwitchboard({
    seed: officeConfig,
    clock: () => new Date(now),
    env: {
      SB_API_AUTH_MAX_FAILURES: String(MAX_FAILURES),
      SB_API_AUTH_WINDOW_MS: String(WINDOW_MS),
      SB_API_HEADERS_TIMEOUT_MS: '300',
      SB_API_REQUEST_TIMEOUT_MS: '600',
    },
  });
});
afterAll(async () => {
  await started.switchboard.close(500);
});

describe('response headers', () => {
  it('token-protected JSON is never cached and never sniffed; nor is a 401', async () => {
    for (const [path, token, status] of [
      ['/calls', started.token, 200],
      ['/config', started.token, 200],
      ['/history', started.token, 200],
      ['/export', started.token, 200],
    ] as const) {
      const response = await call(path, token);
      expect(response.status, path).toBe(status);
      expect(response.headers.get('cache-control'), path).toBe('no-store');
      expect(response.headers.get('x-content-type-options'), path).toBe('nosniff');
    }
    const refused = await call('/calls', null);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('cache-control')).toBe('no-store');
    expect(refused.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it("serves the console's vendor modules with the page's CSP and nosniff", async () => {
    const page = await call('/console/', null);
    const csp = page.headers.get('content-security-policy');
    expect(csp).toContain("frame-ancestors 'none'");
    for (const module of [
      '/console/vendor/preact/preact.mjs',
      '/console/vendor/preact-hooks/hooks.mjs',
      '/console/vendor/htm/htm.mjs',
    ]) {
      const served = await call(module, null);
      expect(served.status, module).toBe(200);
      expect(served.headers.get('content-security-policy'), module).toBe(csp);
      expect(served.headers.get('x-content-type-options'), module).toBe('nosniff');
    }
  });
});

describe('wrong tokens', () => {
  it('are logged without the token, counted, and answered 429 (unchecked) after the allowance', async () => {
    // A right token first: the earlier 401 of this address no longer counts.
    expect((await call('/calls', started.token)).status).toBe(200);
    const before = await authFailures();
    const linesBefore = started.log.lines.length;
    for (let attempt = 1; attempt <= MAX_FAILURES; attempt++)
      expect((await call('/calls', WRONG)).status, `attempt ${attempt}`).toBe(401);
    // Blocked now: even the right token is not checked until the window ends.
    for (const token of [WRONG, started.token]) {
      const throttled = await call('/calls', token);
      expect(throttled.status).toBe(429);
      expect(Number(throttled.headers.get('retry-after'))).toBe(WINDOW_MS / 1000);
      expect(((await throttled.json()) as { error: string }).error).toContain('too many');
    }
    const lines = started.log.lines.slice(linesBefore);
    const refusals = lines.filter((line) => line.msg === 'admin API: bearer token refused');
    expect(refusals).toHaveLength(MAX_FAILURES);
    expect(refusals[0]).toMatchObject({
      source: '127.0.0.1',
      path: '/calls',
      reason: 'unknown',
      failures: 1,
    });
    expect(lines.filter((line) => String(line.msg).includes('too many invalid bearer tokens'))).toHaveLength(
      1,
    );
    expect(JSON.stringify(lines)).not.toContain(WRONG);
    expect(JSON.stringify(lines)).not.toContain(started.token);
    const after = await authFailures();
    expect((after.refused ?? 0) - (before.refused ?? 0)).toBe(MAX_FAILURES);
    expect((after.throttled ?? 0) - (before.throttled ?? 0)).toBe(2);

    // The window ends: the right token works again, and a success starts the count again.
    now += WINDOW_MS;
    expect((await call('/calls', started.token)).status).toBe(200);
    for (let round = 0; round < 3; round++) {
      for (let attempt = 1; attempt < MAX_FAILURES; attempt++)
        expect((await call('/calls', null)).status).toBe(401);
      expect((await call('/calls', started.token)).status).toBe(200);
    }
  });

  it('tracks a bounded number of source addresses', () => {
    const throttle = new AuthThrottle({ maxFailures: 2, windowMs: 1_000, maxSources: 100 });
    for (let index = 0; index < 5_000; index++) throttle.fail(`10.0.${index >> 8}.${index & 255}`, 0);
    expect(throttle.size).toBe(100);
    // The newest sources are the ones kept; the oldest were forgotten.
    expect(throttle.fail('10.0.19.135', 0)).toEqual({ failures: 2, nowBlocked: true });
    expect(throttle.fail('10.0.0.0', 0)).toEqual({ failures: 1, nowBlocked: false });
    expect(throttle.blockedFor('10.0.19.135', 400)).toBe(600);
    expect(throttle.blockedFor('10.0.19.135', 1_000)).toBe(0);
  });
});

describe("a change's author", () => {
  it('keeps the display name the client sent and records which token made the change', async () => {
    const response = await call('/extensions/150', started.token, {
      method: 'PUT',
      body: JSON.stringify({ name: 'Hardening' }),
      headers: { 'x-switchboard-author': 'ann' },
    });
    expect(response.status).toBe(200);
    const [latest] = (await (await call('/history?limit=1', started.token)).json()) as Array<{
      author: string;
      authorToken: string;
    }>;
    expect(latest).toMatchObject({
      author: 'ann',
      authorToken: tokenId('first-start', hashToken(started.token)),
    });
    expect(latest?.authorToken).toMatch(/^first-start#[0-9a-f]{12}$/);
    // The hash prefix names the token; it is not the token.
    expect(latest?.authorToken).not.toContain(started.token.slice(3, 15));
  });
});

/** Opens a raw connection, sends `head`, and answers how the server ended it and after how long. */
async function slowClient(head: string, trickle?: string): Promise<{ ms: number; answer: string }> {
  const { port } = new URL(started.apiUrl);
  const socket: Socket = connect(Number(port), '127.0.0.1');
  const start = performance.now();
  let answer = '';
  socket.on('data', (chunk) => {
    answer += chunk.toString();
  });
  socket.write(head);
  const timer = trickle
    ? setInterval(() => {
        if (!socket.destroyed) socket.write(trickle);
      }, 100)
    : undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      socket.on('close', () => resolve());
      socket.on('error', () => resolve());
      setTimeout(() => reject(new Error('the server kept the slow connection open for 5 s')), 5_000).unref();
    });
  } finally {
    clearInterval(timer);
    socket.destroy();
  }
  return { ms: performance.now() - start, answer };
}

describe('slow clients', () => {
  it('cuts off a client that never finishes its headers (SB_API_HEADERS_TIMEOUT_MS)', async () => {
    const { ms, answer } = await slowClient('GET /health HTTP/1.1\r\nHost: switchboard\r\nX-Slow: ');
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    expect(ms).toBeGreaterThanOrEqual(250);
    expect(ms).toBeLessThan(2_000);
  });

  it('cuts off a client that trickles its body (SB_API_REQUEST_TIMEOUT_MS)', async () => {
    const { ms, answer } = await slowClient(
      `PUT /extensions/151 HTTP/1.1\r\nHost: switchboard\r\nAuthorization: Bearer ${started.token}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"name":"`,
      'x',
    );
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    expect(ms).toBeGreaterThanOrEqual(550);
    expect(ms).toBeLessThan(2_500);
  });

  it('refuses a headers bound above the request bound at start', async () => {
    await expect(
      startSwitchboard({
        seed: officeConfig,
        env: { SB_API_HEADERS_TIMEOUT_MS: '20000', SB_API_REQUEST_TIMEOUT_MS: '10000' },
      }),
    ).rejects.toThrow(/SB_API_HEADERS_TIMEOUT_MS \(20000\) must not exceed SB_API_REQUEST_TIMEOUT_MS/);
  });
});
