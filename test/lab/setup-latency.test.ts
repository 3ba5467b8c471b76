import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { median, percentile } from '../../agi-server/bench/stats.js';
import { readRoutingFile } from '../../agi-server/src/config.js';
import { startSwitchboard } from '../support/switchboard.js';
import { callFromTwilio } from './calls.js';
import { RUN_DIR, startPhone } from './lab.js';

// Call setup (INVITE sent -> 200 OK received, SIPp response time 1) through the AGI path versus
// a static Dial() to the same phone, measured in the same run, rounds interleaved so that drift
// hits both sides. Figures are printed and saved for the closing note, not asserted: speed is
// the benchmark's business (npm run bench); the test only insists every call completes.
const chroot = inject('labChroot');
const ROUNDS = 3;
const CALLS_PER_ROUND = 40;

describe('call setup through the AGI vs a static Dial (same run)', () => {
  let started: Awaited<ReturnType<typeof startSwitchboard>>;

  beforeAll(async () => {
    const seed = readRoutingFile(new URL('routing.lab.yaml', import.meta.url).pathname);
    started = await startSwitchboard({ seed, agiPort: 4573, withoutApi: true });
  });
  afterAll(async () => {
    await started.switchboard.close(1_000);
  });

  it('measures both paths and every call completes', async () => {
    const times: Record<'agi' | 'static', number[]> = { agi: [], static: [] };
    const phone = startPhone(chroot, '127.0.0.2');
    try {
      for (let round = 0; round < ROUNDS; round++) {
        for (const [path, did] of [
          ['static', '+19860000001'],
          ['agi', '+19863334949'],
        ] as const) {
          const result = await callFromTwilio(chroot, {
            did,
            calls: CALLS_PER_ROUND,
            rate: 10,
            durationMs: 100,
            traceRtt: true,
          });
          expect(result.exitCode, result.stderr).toBe(0);
          expect(result.responseTimesMs).toHaveLength(CALLS_PER_ROUND);
          times[path].push(...result.responseTimesMs);
        }
      }
    } finally {
      await phone.stop();
    }
    const summary = {
      calls: { agi: times.agi.length, static: times.static.length },
      medianMs: { agi: median(times.agi), static: median(times.static) },
      p95Ms: { agi: percentile(times.agi, 95), static: percentile(times.static, 95) },
    };
    const ratio = summary.medianMs.agi / summary.medianMs.static;
    const report = {
      ...summary,
      medianRatioAgiOverStatic: Number(ratio.toFixed(2)),
      addedMedianMs: summary.medianMs.agi - summary.medianMs.static,
    };
    writeFileSync(join(chroot, RUN_DIR.slice(1), 'setup-latency.json'), JSON.stringify(report, null, 2));
    console.log(`call setup (INVITE -> 200 OK): ${JSON.stringify(report)}`);
  });
});
