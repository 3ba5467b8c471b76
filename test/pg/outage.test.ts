import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PgCluster, startPgCluster } from '../../agi-server/bench/pg-cluster.js';
import { ServerProcess } from '../../agi-server/bench/server-process.js';
import { routingConfigSchema } from '../../agi-server/src/routing/model.js';
import { openPgStore } from '../../agi-server/src/store/pg-store.js';
import type { VersionListener } from '../../agi-server/src/store/types.js';
import { captureLogger } from '../support/capture-logger.js';
import { FakeAsterisk } from '../support/fake-asterisk.js';
import { msetVariables, scaleOutConfig, seedFile, TOKEN } from './seed.js';

/**
 * PostgreSQL stopped while calls flow: routing serves the last snapshot, admin writes answer
 * 503, and the call log's rows wait and are written when the database is back (counted).
 * A cluster of its own, since this test stops it.
 */

let cluster: PgCluster;
let server: ServerProcess;
let url: string;

beforeAll(async () => {
  cluster = await startPgCluster();
  url = await cluster.createDatabase();
  server = await ServerProcess.start({ DATABASE_URL: url, SB_CONFIG_POLL_MS: '500' }, TOKEN, {
    seed: seedFile(),
  });
});
afterAll(async () => {
  await server?.stop();
  await cluster?.destroy();
});

/** One whole inbound call as the dialplan makes it: inbound, then the hangup report. */
async function call(linkedId: string): Promise<string | undefined> {
  const inbound = await FakeAsterisk.start(server.agiPort, `inbound?did=%2B19863330077&linkedid=${linkedId}`);
  const dial = msetVariables((await inbound.serve())[0]).SB_DIAL;
  await (
    await FakeAsterisk.start(
      server.agiPort,
      `hangup?linkedid=${linkedId}&action=dial&dialstatus=ANSWER&step=0`,
    )
  ).serve();
  return dial;
}

async function countRows(): Promise<{ calls: number; ended: number }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ calls: number; ended: number }>(
      "SELECT count(*)::int AS calls, count(*) FILTER (WHERE disposition = 'answered')::int AS ended FROM calls WHERE linked_id LIKE 'outage.%'",
    );
    return rows[0] ?? { calls: 0, ended: 0 };
  } finally {
    await client.end();
  }
}

describe('PostgreSQL outage', () => {
  it('keeps routing (inbound and outbound), answers admin writes 503 and writes every call-log row when it returns', async () => {
    const routed: Array<string | undefined> = [];
    let index = 0;
    let flowing = true;
    // Calls flow at about 50/s for the whole test, outage included.
    const traffic = (async () => {
      while (flowing) {
        routed.push(await call(`outage.${index++}`));
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();

    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await cluster.stop();
    const stoppedAt = index;
    await new Promise((resolve) => setTimeout(resolve, 500));
    const write = await server.api('PUT', '/routes/probe', {
      did: '+19863330077',
      plans: { open: [{ type: 'extension', extension: '101' }] },
    });
    expect(write.status).toBe(503);
    expect(write.json).toMatchObject({ error: expect.stringContaining('store unavailable') });
    // Outbound limits fall back to this server's own count: the call goes out.
    const outbound = await FakeAsterisk.start(
      server.agiPort,
      'outbound?endpoint=100&dialled=92125551234&linkedid=outage-out.1',
    );
    expect(msetVariables((await outbound.serve())[0]).SB_ACTION).toBe('dial');
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const duringOutage = index - stoppedAt;
    await cluster.start();
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    flowing = false;
    await traffic;

    console.log(`calls: ${routed.length} in all, ${duringOutage} while PostgreSQL was stopped`);
    expect(duringOutage).toBeGreaterThan(20);
    // Every call routed, from the snapshot, outage or not.
    expect(routed.filter((dial) => dial === 'PJSIP/100')).toHaveLength(routed.length);
    // Every call's row, start and end, reaches the database once it is back: none lost.
    await expect.poll(countRows, { timeout: 20_000, interval: 250 }).toEqual({
      calls: routed.length,
      ended: routed.length,
    });
    const rows = await countRows();
    console.log(
      `call-log rows after PostgreSQL returned: ${rows.calls} of ${routed.length} (${rows.ended} ended)`,
    );
    // Admin writes work again, and the change reaches the snapshot.
    await expect
      .poll(
        async () =>
          (
            await server.api('PUT', '/routes/probe', {
              did: '+19863330077',
              plans: { open: [{ type: 'extension', extension: '101' }] },
            })
          ).status,
        { timeout: 10_000, interval: 250 },
      )
      .toBe(200);
    expect(await call('after.1')).toBe('PJSIP/101');
  });

  it('the change feed reconnects after a restart, resyncs, and carries the next change', async () => {
    const logger = captureLogger().logger;
    const [writer, reader] = [await openPgStore(url, logger), await openPgStore(url, logger)];
    const events: Parameters<VersionListener>[0][] = [];
    await reader.watchVersions((event) => events.push(event));
    await cluster.stop();
    await cluster.start();
    await expect.poll(() => events.some((event) => 'resync' in event), { timeout: 15_000 }).toBe(true);
    const latest = await writer.latestVersionNumber();
    const config = routingConfigSchema.parse(scaleOutConfig);
    const stored = await writer.appendVersion({
      config,
      author: 'feed',
      summary: 'after restart',
      basedOn: latest,
    });
    await expect
      .poll(() => events.some((event) => 'version' in event && event.version === stored.version), {
        timeout: 5_000,
      })
      .toBe(true);
    await writer.close();
    await reader.close();
  });
});
