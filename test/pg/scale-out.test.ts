import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createDatabase } from '../../agi-server/bench/pg-cluster.js';
import { ServerProcess } from '../../agi-server/bench/server-process.js';
import { percentile } from '../../agi-server/bench/stats.js';
import { FakeAsterisk } from '../support/fake-asterisk.js';
import { msetVariables, seedFile, TOKEN } from './seed.js';

/**
 * Two real server processes on one PostgreSQL database: what one changes the other routes with,
 * and the outbound limits count across both.
 */

const LEASE_MS = 1_500;
let a: ServerProcess;
let b: ServerProcess;

beforeAll(async () => {
  const seed = seedFile();
  const env = {
    DATABASE_URL: await createDatabase(inject('pgUrl')),
    SB_OUTBOUND_LEASE_MS: String(LEASE_MS),
  };
  // A first: it migrates and seeds; B finds version 1.
  a = await ServerProcess.start(env, TOKEN, { seed });
  b = await ServerProcess.start(env, TOKEN, { seed });
});
afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
});

async function inbound(server: ServerProcess, linkedId: string) {
  const call = await FakeAsterisk.start(server.agiPort, `inbound?did=%2B19863330077&linkedid=${linkedId}`);
  return msetVariables((await call.serve())[0]);
}

async function outbound(server: ServerProcess, linkedId: string) {
  const call = await FakeAsterisk.start(
    server.agiPort,
    `outbound?endpoint=100&dialled=92125551234&linkedid=${linkedId}`,
  );
  return msetVariables((await call.serve())[0]).SB_ACTION;
}

async function hangup(server: ServerProcess, linkedId: string) {
  await (
    await FakeAsterisk.start(
      server.agiPort,
      `hangup?linkedid=${linkedId}&action=dial&dialstatus=ANSWER&step=0`,
    )
  ).serve();
}

describe('two AGI servers on one PostgreSQL', () => {
  it('a route change through A is used by B: propagation over 120 changes', async () => {
    const delays: number[] = [];
    for (let change = 0; change < 120; change++) {
      const extension = change % 2 === 0 ? '101' : '100';
      const put = await a.api('PUT', '/routes/probe', {
        did: '+19863330077',
        plans: { open: [{ type: 'extension', extension }] },
      });
      expect(put.status).toBe(200);
      const { version } = put.json as { version: number };
      const stored = await a.waitForLog(
        (line) => line.msg === 'routing configuration changed' && line.version === version,
      );
      const reloaded = await b.waitForLog(
        (line) => line.msg === 'routing configuration reloaded from the store' && line.version === version,
      );
      delays.push(reloaded.time - stored.time);
      // B's next call routes with A's change.
      if (change % 20 === 0)
        expect(await inbound(b, `p.${change}`)).toMatchObject({ SB_DIAL: `PJSIP/${extension}` });
    }
    const p50 = percentile(delays, 50);
    const p99 = percentile(delays, 99);
    console.log(
      `propagation A->B over ${delays.length} changes: p50 ${p50} ms, p99 ${p99} ms, max ${Math.max(...delays)} ms`,
    );
    expect(p99).toBeLessThanOrEqual(100);
  });

  it('holds 2 concurrent outbound calls across both servers; a killed server gives its places back', async () => {
    expect(await outbound(a, 'o.1')).toBe('dial');
    expect(await outbound(b, 'o.2')).toBe('dial');
    // The third concurrent call is denied whichever server it reaches.
    expect(await outbound(a, 'o.3')).toBe('hangup');
    expect(await outbound(b, 'o.4')).toBe('hangup');
    // A hangup reported to the other server frees the place.
    await hangup(b, 'o.1');
    await expect.poll(() => outbound(a, 'o.5'), { timeout: 3_000, interval: 100 }).toBe('dial');
    // o.2 (admitted by B) and o.5 hold both places; B dies without reporting o.2's end.
    await b.stop('SIGKILL');
    const killedAt = Date.now();
    expect(await outbound(a, 'o.6')).toBe('hangup');
    let attempt = 0;
    await expect
      .poll(() => outbound(a, `o.after.${attempt++}`), { timeout: LEASE_MS * 4, interval: 100 })
      .toBe('dial');
    const freedAfter = Date.now() - killedAt;
    console.log(`killed server's outbound place came back after ${freedAfter} ms (lease ${LEASE_MS} ms)`);
    expect(freedAfter).toBeGreaterThanOrEqual(LEASE_MS / 2);
  });
});
