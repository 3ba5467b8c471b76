import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { startFloorServer } from '../../agi-server/bench/floor-server.js';
import { median, percentile } from '../../agi-server/bench/stats.js';
import { createSwitchboard } from '../../agi-server/src/app.js';
import { loadServerConfig, readRoutingFile } from '../../agi-server/src/config.js';
import { callFromTwilio } from './calls.js';
import { installLabConfig, LabAsterisk, provisionLab, startPhone } from './lab.js';

/**
 * npm run bench:lab: a SIPp calls/s ramp through real Asterisk 22 (the lab), the AGI path beside a
 * static Dial() to the same phone at every rate, in the same run. Asterisk is restarted before
 * each run (its memory grows with calls). Reports call setup (INVITE -> 200 OK) median and p95,
 * failed calls, and the highest rate each path carried with no failed call.
 *
 * A third path, `agi-floor`, is AGI() to a raw responder that answers one fixed MSet without
 * reading anything (agi-server/bench/floor-server.ts) and Dial(): what any FastAGI decision costs
 * on this Asterisk, the floor the product's own overhead is read against. A rate listed more than
 * once is run again and its calls pooled (the first run after a restart is the noisiest).
 * BENCH_LAB_PATHS=name=did,... picks other DIDs (test/lab/asterisk/extensions_custom.conf).
 */

const RATES = (process.env.BENCH_LAB_RATES ?? '50,100,200,300,400,500').split(',').map(Number);
const SECONDS = Number(process.env.BENCH_LAB_SECONDS ?? 4);
const PATHS = (process.env.BENCH_LAB_PATHS ?? 'static=+19860000001,agi-floor=+19860000003,agi=+19863334949')
  .split(',')
  .map((pair) => pair.split('=') as [string, string]);
/** The raw responder's port (extensions_custom.conf); the lab's network namespace is its own. */
const FLOOR_PORT = 4574;

const chroot = await provisionLab();
installLabConfig(chroot);
const seed = readRoutingFile(fileURLToPath(new URL('./routing.lab.yaml', import.meta.url)));
const config = {
  ...loadServerConfig({ SB_DB_PATH: join(mkdtempSync(join(tmpdir(), 'sb-bench-lab-')), 'bench.sqlite') }),
  SB_AGI_PORT: 4573,
};
const switchboard = await createSwitchboard({
  config,
  logger: pino({ level: 'silent' }),
  seed,
  withoutApi: true,
});
await switchboard.listen();
const floor = await startFloorServer({
  host: '127.0.0.1',
  port: FLOOR_PORT,
  answer: () => 'EXEC MSet "SB_ACTION=dial,SB_DIAL=PJSIP/100,SB_TIMEOUT=30"\n',
});

interface Result {
  rate: number;
  path: string;
  calls: number;
  failed: number;
  medianMs: number;
  p95Ms: number;
  times: number[];
}
const results: Result[] = [];
console.log(
  `Lab ramp: real Asterisk 22 + SIPp, ${SECONDS} s per rate, each rate: static Dial then the AGI path`,
);
try {
  for (const rate of RATES) {
    for (const [path, did] of PATHS) {
      const asterisk = new LabAsterisk(chroot);
      await asterisk.start();
      const phone = startPhone(chroot, '127.0.0.2');
      const calls = rate * SECONDS;
      const run = await callFromTwilio(chroot, {
        did,
        calls,
        rate,
        durationMs: 500,
        traceRtt: true,
        timeoutSeconds: SECONDS * 4 + 20,
      });
      await phone.stop();
      await asterisk.stop();
      const times = run.responseTimesMs;
      const result = {
        rate,
        path,
        calls,
        failed: calls - times.length,
        medianMs: median(times),
        p95Ms: percentile(times, 95),
        times,
      };
      results.push(result);
      console.log(
        `  ${String(rate).padStart(4)} calls/s  ${path.padEnd(9)}  setup median ${result.medianMs.toFixed(2)} ms  p95 ${result.p95Ms.toFixed(2)} ms  failed ${result.failed}/${calls}`,
      );
    }
  }
} finally {
  floor.close();
  await switchboard.close(1_000);
}

const best = (path: string) =>
  Math.max(0, ...results.filter((r) => r.path === path && r.failed === 0).map((r) => r.rate));
/** Every call of a path at a rate, pooled over the runs of that rate: their median. */
const pooledMedian = (path: string, rate: number): number =>
  median(results.filter((r) => r.path === path && r.rate === rate).flatMap((r) => r.times));
const lowest = RATES[0] as number;
const staticLow = pooledMedian('static', lowest);
const runsAtLowest = RATES.filter((rate) => rate === lowest).length;
console.log('');
for (const path of PATHS.map(([name]) => name).filter((name) => name !== 'static')) {
  const low = pooledMedian(path, lowest);
  console.log(
    `at ${lowest} calls/s (${runsAtLowest} run(s) pooled): ${path} adds ${(low - staticLow).toFixed(2)} ms median call setup ` +
      `(${path}/static = ${(low / staticLow).toFixed(2)})`,
  );
}
console.log(
  `highest rate with 0 failed calls (of ${RATES.join(', ')}): static ${best('static')}, AGI ${best('agi')} ` +
    `(AGI/static = ${(best('agi') / Math.max(1, best('static'))).toFixed(2)})`,
);
