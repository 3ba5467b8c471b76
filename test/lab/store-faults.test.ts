import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { readRoutingFile } from '../../agi-server/src/config.js';
import { startSwitchboard } from '../support/switchboard.js';
import { callFromTwilio } from './calls.js';
import { startPhone } from './lab.js';

// Issue 11 item 3 on real Asterisk 22: 100 calls at 10/s from "Twilio" to extension 100; the
// SQLite store's directory is deleted mid-load and restored from a backup taken earlier.
// /health must say degraded within 5 s, and every call's row must be there (answered, with its
// hangup) once the store is back. See docs/call-log.md.
const chroot = inject('labChroot');
const CALLS = 100;

describe('store directory deleted mid-load (real Asterisk)', () => {
  let started: Awaited<ReturnType<typeof startSwitchboard>>;

  beforeAll(async () => {
    const seed = readRoutingFile(new URL('routing.lab.yaml', import.meta.url).pathname);
    started = await startSwitchboard({ seed, agiPort: 4573, env: { SB_STORE_CHECK_MS: '250' } });
  });
  afterAll(async () => {
    await started?.switchboard.close(1_000);
  });

  const health = async () => {
    const response = await fetch(`${started.apiUrl}/health`);
    return {
      code: response.status,
      ...((await response.json()) as { status: string; callLog: { pending: number } }),
    };
  };
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it('reports degraded within 5 s and has all 100 calls once the store is restored', async () => {
    const { dbPath } = started;
    const backup = join(dirname(dirname(dbPath)), `lab-backup-${Date.now()}.sqlite`);
    const phone = startPhone(chroot, '127.0.0.2');
    const load = callFromTwilio(chroot, { did: '+19863334949', calls: CALLS, rate: 10, durationMs: 300 });

    await sleep(2_500);
    const live = new Database(dbPath);
    live.exec(`VACUUM INTO '${backup}'`);
    live.close();
    await sleep(2_000);
    rmSync(dirname(dbPath), { recursive: true, force: true });
    const deletedAt = Date.now();
    let degradedAfterMs: number | undefined;
    while (Date.now() - deletedAt < 5_000) {
      if ((await health()).status === 'degraded') {
        degradedAfterMs = Date.now() - deletedAt;
        break;
      }
      await sleep(50);
    }
    const result = await load;
    expect(result.exitCode, result.stderr).toBe(0);
    await phone.stop();
    const whileGone = await health();

    mkdirSync(dirname(dbPath), { recursive: true });
    copyFileSync(backup, dbPath);
    const restoredAt = Date.now();
    let back = await health();
    while ((back.status !== 'ok' || back.callLog.pending > 0) && Date.now() - restoredAt < 5_000) {
      await sleep(50);
      back = await health();
    }
    await started.switchboard.callLog.flush();
    const db = new Database(dbPath, { readonly: true });
    const rows = db
      .prepare("SELECT disposition, count(*) AS n FROM calls WHERE did = '+19863334949' GROUP BY disposition")
      .all() as Array<{ disposition: string; n: number }>;
    db.close();
    const report = {
      calls: CALLS,
      degradedAfterMs,
      whileGone: { code: whileGone.code, status: whileGone.status, pending: whileGone.callLog.pending },
      recoveredAfterMs: Date.now() - restoredAt,
      rows: Object.fromEntries(rows.map((row) => [row.disposition, row.n])),
    };
    console.info(`lab store faults: ${JSON.stringify(report)}`);
    expect(degradedAfterMs).toBeDefined();
    expect(degradedAfterMs).toBeLessThan(5_000);
    expect(whileGone).toMatchObject({ code: 503, status: 'degraded' });
    expect(back.status).toBe('ok');
    expect(report.rows).toEqual({ answered: CALLS });
  });
});
