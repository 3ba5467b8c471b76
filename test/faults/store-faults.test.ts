import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { clockFrom, WEEKDAY_NOON_CHICAGO } from '../support/clock.js';
import { FakeAsterisk } from '../support/fake-asterisk.js';
import { officeConfig } from '../support/routing-fixtures.js';
import { startSwitchboard } from '../support/switchboard.js';

/**
 * Store faults through the real AGI protocol: calls keep arriving while the SQLite store's
 * directory is deleted, then the store is restored from a backup; /health must notice within
 * seconds and every call's row must be there afterwards. See docs/call-log.md.
 */

let running: Awaited<ReturnType<typeof startSwitchboard>> | undefined;
afterEach(async () => {
  await running?.switchboard.close(200);
  running = undefined;
});

/** One whole call as Asterisk runs it: `inbound` (answered by the dialplan), then `hangup`. */
async function call(agiPort: number, index: number): Promise<void> {
  const linkedid = `1763900000.${index}`;
  const inbound = await FakeAsterisk.start(agiPort, `inbound?did=%2B19863334949&linkedid=${linkedid}`);
  await inbound.serve();
  const hangup = await FakeAsterisk.start(
    agiPort,
    `hangup?linkedid=${linkedid}&action=dial&step=0&dialstatus=ANSWER&peer=PJSIP%2F100-0000000a&answeredms=1000`,
  );
  await hangup.serve();
}

async function health(apiUrl: string): Promise<{ code: number; status: string }> {
  const response = await fetch(`${apiUrl}/health`);
  const body = (await response.json()) as { status: string };
  return { code: response.status, status: body.status };
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<number> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return Date.now() - started;
}

function countRows(path: string): { calls: number; ended: number } {
  const db = new Database(path, { readonly: true });
  try {
    const calls = (db.prepare('SELECT count(*) AS n FROM calls').get() as { n: number }).n;
    const ended = (
      db
        .prepare("SELECT count(*) AS n FROM calls WHERE disposition = 'answered' AND did IS NOT NULL")
        .get() as {
        n: number;
      }
    ).n;
    return { calls, ended };
  } finally {
    db.close();
  }
}

describe('store faults: the SQLite store vanishes mid-load and is restored', () => {
  it('reports degraded within 5 s, buffers the rows, and has every call once restored', async () => {
    running = await startSwitchboard({
      seed: officeConfig,
      clock: clockFrom(new Date(WEEKDAY_NOON_CHICAGO)),
      env: { SB_STORE_CHECK_MS: '250' },
    });
    const { agiPort, apiUrl, dbPath, switchboard } = running;
    const backup = join(dirname(dirname(dbPath)), `backup-${Date.now()}.sqlite`);
    const total = 300;
    let index = 0;
    const run = async (until: number) => {
      for (; index < until; index++) await call(agiPort, index);
    };

    await run(80);
    await switchboard.callLog.flush();
    // The operator's backup, taken while calls keep coming.
    const live = new Database(dbPath);
    live.exec(`VACUUM INTO '${backup}'`);
    live.close();
    // A routing change after the backup: the restored store will not have it.
    await switchboard.routing.change((config) => ({ ...config, routes: config.routes.slice(0, -1) }), {
      author: 'test',
      summary: 'after the backup',
    });
    expect(switchboard.routing.snapshot.version).toBe(2);
    await run(150);
    expect(await health(apiUrl)).toEqual({ code: 200, status: 'ok' });

    rmSync(dirname(dbPath), { recursive: true, force: true });
    const deletedAt = Date.now();
    let degradedAfterMs: number | undefined;
    // Calls go on while the store is gone; /health is watched in between.
    while (index < total) {
      await run(Math.min(index + 10, total));
      if (degradedAfterMs === undefined && (await health(apiUrl)).status === 'degraded')
        degradedAfterMs = Date.now() - deletedAt;
    }
    degradedAfterMs ??=
      deletedAt + (await waitFor('degraded', async () => (await health(apiUrl)).code === 503, 5_000));
    expect(degradedAfterMs).toBeLessThan(5_000);
    expect(await health(apiUrl)).toEqual({ code: 503, status: 'degraded' });
    expect(switchboard.callLog.pending).toBeGreaterThan(0);
    const metrics = await (
      await fetch(`${apiUrl}/metrics`, { headers: { authorization: `Bearer ${running.token}` } })
    ).text();
    expect(metrics).toMatch(/^switchboard_store_up 0$/m);
    expect(metrics).toMatch(/^switchboard_call_log_write_failures_total [1-9]/m);
    expect(running.log.lines.some((line) => line.alarm === 'store-unavailable' && line.level === 50)).toBe(
      true,
    );

    // The operator restores the backup (older than the last 70 calls before the deletion).
    mkdirSync(dirname(dbPath), { recursive: true });
    copyFileSync(backup, dbPath);
    const recoveredAfterMs = await waitFor(
      'the buffer to drain',
      async () => (await health(apiUrl)).status === 'ok' && switchboard.callLog.pending === 0,
      5_000,
    );
    await switchboard.callLog.flush();
    expect(countRows(dbPath)).toEqual({ calls: total, ended: total });
    expect(running.log.lines.some((line) => line.alarm === 'store-replaced')).toBe(true);
    // The routing follows the restored store (version 1), so later changes are not conflicts.
    expect(switchboard.routing.snapshot.version).toBe(1);
    console.info(
      `store faults: ${total} calls, store deleted after call 150, /health degraded after ${degradedAfterMs} ms, ` +
        `recovered ${recoveredAfterMs} ms after restore, rows ${countRows(dbPath).calls}/${total}`,
    );
  });

  it('reports degraded while another connection holds the write lock, and writes every row after', async () => {
    running = await startSwitchboard({
      seed: officeConfig,
      clock: clockFrom(new Date(WEEKDAY_NOON_CHICAGO)),
      env: { SB_STORE_CHECK_MS: '250' },
    });
    const { agiPort, apiUrl, dbPath, switchboard } = running;
    const locker = new Database(dbPath);
    locker.exec('BEGIN EXCLUSIVE');
    const started = Date.now();
    for (let index = 0; index < 50; index++) await call(agiPort, index);
    // Calls were still routed while the store refused writes, and quickly.
    const routedMs = Date.now() - started;
    const degraded = await waitFor('degraded', async () => (await health(apiUrl)).code === 503, 5_000);
    expect(switchboard.callLog.pending).toBeGreaterThan(0);
    locker.exec('ROLLBACK');
    locker.close();
    await waitFor(
      'the buffer to drain',
      async () => (await health(apiUrl)).status === 'ok' && switchboard.callLog.pending === 0,
      5_000,
    );
    expect(countRows(dbPath)).toEqual({ calls: 50, ended: 50 });
    console.info(
      `store faults (write lock held): 50 calls routed in ${routedMs} ms, degraded after ${degraded} ms more`,
    );
  });
});
