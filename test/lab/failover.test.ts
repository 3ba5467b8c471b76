import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type PgCluster, startPgCluster } from '../../agi-server/bench/pg-cluster.js';
import { ServerProcess } from '../../agi-server/bench/server-process.js';
import { callFromTwilio } from './calls.js';
import { startPhone } from './lab.js';

/**
 * Asterisk with two AGI targets (settings.lab.yaml: agi.servers), two real server processes on
 * one PostgreSQL: the first is killed mid-run, and every call is routed by the survivor (the
 * dialplan's sb-agi subroutine tries the targets in order), none through the static fallback
 * (which rings extension 101).
 */
const chroot = inject('labChroot');
const CALLS = 50;
const TOKEN = `sb_${'f'.repeat(43)}`;

describe('two AGI servers, one killed mid-run', () => {
  let cluster: PgCluster;
  let url: string;
  let first: ServerProcess;
  let second: ServerProcess;

  beforeAll(async () => {
    cluster = await startPgCluster();
    url = await cluster.createDatabase();
    const seed = new URL('routing.lab.yaml', import.meta.url).pathname;
    const env = {
      DATABASE_URL: url,
      SB_LOG_LEVEL: 'info',
    };
    first = await ServerProcess.start(env, TOKEN, { agi: 4573, seed });
    second = await ServerProcess.start(env, TOKEN, { agi: 4574, seed });
  });
  afterAll(async () => {
    await Promise.all([first?.stop('SIGKILL'), second?.stop()]);
    await cluster?.destroy();
  });

  it(`routes all ${CALLS} calls at 10/s through the survivor`, async () => {
    const phone100 = startPhone(chroot, '127.0.0.2');
    const phone101 = startPhone(chroot, '127.0.0.3');
    const calls = callFromTwilio(chroot, { did: '+19863334949', calls: CALLS, rate: 10, durationMs: 300 });
    // Kill the first target once about a third of the calls are through it.
    await first.waitForLog((line) => line.event === 'inbound-call' && line.linkedid !== undefined, 10_000);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await first.stop('SIGKILL');
    const result = await calls;
    const [at100, at101] = await Promise.all([phone100.stop(), phone101.stop()]);

    const routedBy = (server: ServerProcess) =>
      new Set(
        server.logs
          .filter((line) => line.event === 'inbound-call' && line.action === 'dial')
          .map((line) => line.linkedid),
      );
    const [byFirst, bySecond] = [routedBy(first), routedBy(second)];
    const answered100 = at100.logs.filter((line) => line.includes('answered user=100')).length;
    const answered101 = at101.logs.filter((line) => line.includes('answered user=101')).length;
    console.log(
      `failover: ${CALLS} calls; routed by the first ${byFirst.size}, by the survivor ${bySecond.size}; phone 100 answered ${answered100}, fallback phone 101 ${answered101}`,
    );
    expect(result.exitCode, result.stderr).toBe(0);
    expect(byFirst.size).toBeGreaterThan(0);
    expect(bySecond.size).toBeGreaterThan(0);
    expect(new Set([...byFirst, ...bySecond]).size).toBe(CALLS);
    expect(answered100).toBe(CALLS);
    expect(answered101).toBe(0);

    // Every call has its call-log row: the hangup reports after the kill reached the survivor. A
    // hangup report the killed process had read but not yet written (its queue is flushed every
    // 25 ms) leaves that call `in-progress`: at most the calls up at the kill (10/s x 300 ms),
    // counted and printed, not hidden.
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const count = async () =>
        (
          await client.query<{ calls: number; answered: number }>(
            "SELECT count(*)::int AS calls, count(*) FILTER (WHERE disposition = 'answered')::int AS answered FROM calls",
          )
        ).rows[0];
      await expect.poll(async () => (await count())?.calls, { timeout: 10_000 }).toBe(CALLS);
      const rows = await count();
      console.log(`call log: ${rows?.calls} rows, ${rows?.answered} answered`);
      expect(rows?.answered).toBeGreaterThanOrEqual(CALLS - 4);
    } finally {
      await client.end();
    }
  });
});
