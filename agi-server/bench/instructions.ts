import { execFileSync, fork } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runLoad } from './load-generator.js';
import { realisticDid } from './realistic-config.js';

/**
 * npm run bench:instructions: user-space instructions per FastAGI session, counted by valgrind's
 * callgrind (Debian package `valgrind`) in each server variant. Timings on a shared machine move
 * with its load; instruction counts barely do, so a before/after comparison can rest on them.
 * Each server runs under callgrind with instrumentation off through a warm-up long enough for
 * V8's optimising compiler to be done, then on for the measured sessions only. Kernel work (the
 * socket system calls) is not counted: the ratios here are of the work in our process.
 *
 * BENCH_VARIANTS (default floor,ding-dong,switchboard), BENCH_BASELINE=<another checkout> adds
 * that checkout's switchboard server as `baseline`; BENCH_SESSIONS (2000), BENCH_WARMUP (4000),
 * BENCH_CONCURRENCY (16).
 */

const SERVER = fileURLToPath(new URL('./server-child.ts', import.meta.url));
const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 2_000);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 4_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const BASELINE = process.env.BENCH_BASELINE;
const VARIANTS = [
  ...(process.env.BENCH_VARIANTS ?? 'floor,ding-dong,switchboard').split(','),
  ...(BASELINE ? ['baseline'] : []),
];

const inbound = (index: number) =>
  `inbound?did=${encodeURIComponent(realisticDid(index))}&linkedid=1763900000.${index}`;

async function instructionsPerSession(variant: string): Promise<{ perSession: number; failures: number }> {
  const out = mkdtempSync(join(tmpdir(), 'sb-callgrind-'));
  const [script, argument] =
    variant === 'baseline' && BASELINE
      ? [join(BASELINE, 'agi-server/bench/server-child.ts'), 'switchboard']
      : [SERVER, variant];
  const child = fork(script, [argument], {
    execPath: 'valgrind',
    execArgv: [
      '--tool=callgrind',
      '--quiet',
      '--instr-atstart=no',
      // V8 writes and rewrites machine code: valgrind must notice.
      '--smc-check=all-non-file',
      `--callgrind-out-file=${join(out, 'callgrind.%p')}`,
      process.execPath,
      // The contract's TypeScript source, as in run.ts: a missing or stale contract/dist must not
      // be what the servers run.
      '--conditions=switchboard-source',
      // V8's compiler and GC helpers on the main thread: under valgrind, background threads run
      // whenever the scheduler lets them, so their work landed in or out of the counted window
      // by chance (±5 % between runs of the same code); on one thread the count repeats.
      '--single-threaded',
      '--import',
      'tsx',
    ],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      child.once('message', (message) => resolve((message as { port: number }).port));
      child.once('exit', (code) => reject(new Error(`${variant} server exited with ${code}`)));
    });
    await runLoad(port, WARMUP, CONCURRENCY, inbound);
    const pid = String(child.pid);
    execFileSync('callgrind_control', ['--instr=on', pid], { stdio: 'ignore' });
    const result = await runLoad(port, SESSIONS, CONCURRENCY, inbound);
    execFileSync('callgrind_control', ['--dump', pid], { stdio: 'ignore' });
    let total = 0;
    for (const file of readdirSync(out)) {
      const summary = /^(?:summary|totals): (\d+)/m.exec(readFileSync(join(out, file), 'utf8'));
      if (summary) total = Math.max(total, Number(summary[1]));
    }
    return { perSession: total / result.sessions, failures: result.failures };
  } finally {
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
    rmSync(out, { recursive: true, force: true });
  }
}

console.log(
  `Instructions per FastAGI session (callgrind): ${SESSIONS} sessions at c${CONCURRENCY} after ${WARMUP} uncounted`,
);
const rows: Array<{ variant: string; perSession: number; failures: number }> = [];
for (const variant of VARIANTS) rows.push({ variant, ...(await instructionsPerSession(variant)) });
const floor = rows.find((row) => row.variant === 'floor')?.perSession ?? Number.NaN;
for (const row of rows) {
  console.log(
    `${row.variant.padStart(12)}  ${(row.perSession / 1000).toFixed(0).padStart(6)} k instructions/session` +
      `  x${(row.perSession / floor).toFixed(2)} floor  failures ${row.failures}`,
  );
}
