import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDatabase } from './pg-cluster.js';
import { realisticConfig } from './realistic-config.js';
import { ServerProcess } from './server-process.js';
import { percentile } from './stats.js';

const TOKEN = `sb_${'b'.repeat(43)}`;

/**
 * Change propagation between two real server processes on one PostgreSQL database: a route
 * changed through A's admin API, timed from A's "changed" log line (after commit) to B's
 * "reloaded" line (snapshot swapped), both stamped by pino on the same host clock.
 */
export async function measurePropagation(adminUrl: string, changes: number): Promise<string[]> {
  const seed = join(mkdtempSync(join(tmpdir(), 'sb-bench-seed-')), 'routing.json');
  writeFileSync(seed, JSON.stringify(realisticConfig()));
  const env = { DATABASE_URL: await createDatabase(adminUrl) };
  const a = await ServerProcess.start(env, TOKEN, { seed });
  const b = await ServerProcess.start(env, TOKEN, { seed });
  const delays: number[] = [];
  try {
    for (let change = 0; change < changes; change++) {
      const put = await a.api('PUT', '/routes/bench-probe', {
        did: '+19869990000',
        plans: { open: [{ type: 'extension', extension: String(1000 + (change % 200)) }] },
      });
      if (put.status !== 200) throw new Error(`change ${change}: ${put.status} ${JSON.stringify(put.json)}`);
      const { version } = put.json as { version: number };
      const stored = await a.waitForLog(
        (line) => line.msg === 'routing configuration changed' && line.version === version,
      );
      const seen = await b.waitForLog(
        (line) => line.msg === 'routing configuration reloaded from the store' && line.version === version,
      );
      delays.push(seen.time - stored.time);
    }
  } finally {
    await Promise.all([a.stop(), b.stop()]);
  }
  const sorted = Float64Array.from(delays);
  return [
    `Propagation A -> B over ${delays.length} route changes (1,000-DID document, LISTEN/NOTIFY): ` +
      `p50 ${percentile(sorted, 50)} ms, p90 ${percentile(sorted, 90)} ms, p99 ${percentile(sorted, 99)} ms, ` +
      `max ${percentile(sorted, 100)} ms`,
  ];
}
