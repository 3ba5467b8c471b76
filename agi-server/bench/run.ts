import { type ChildProcess, fork } from 'node:child_process';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { percentile, runLoad } from './load-generator.js';
import { realisticDid } from './realistic-config.js';

/**
 * npm run bench: FastAGI sessions against each server variant in the same run, so every figure
 * stands beside its baseline. Server CPU per session comes from the server process's own
 * accounting (process.cpuUsage), not from the load generator's.
 */

const SERVER = fileURLToPath(new URL('./server-child.ts', import.meta.url));
const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 20_000);
const CONCURRENCY = (process.env.BENCH_CONCURRENCY ?? '1,16,64').split(',').map(Number);

interface Measure {
  cpuMicros: number;
  rss: number;
}

async function startServer(
  variant: string,
): Promise<{ child: ChildProcess; port: number; measure: () => Promise<Measure> }> {
  const child = fork(SERVER, [variant], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (message) => resolve((message as { port: number }).port));
    child.once('exit', (code) => reject(new Error(`${variant} server exited with ${code}`)));
  });
  const measure = () =>
    new Promise<Measure>((resolve) => {
      child.once('message', (message) => resolve(message as Measure));
      child.send('measure');
    });
  return { child, port, measure };
}

interface Row {
  variant: string;
  concurrency: number;
  perSecond: number;
  p50: number;
  p99: number;
  max: number;
  cpuMicrosPerSession: number;
  rssMiB: number;
  failures: number;
}

async function benchVariant(variant: string, script: (index: number) => string): Promise<Row[]> {
  const server = await startServer(variant);
  const rows: Row[] = [];
  try {
    await runLoad(server.port, 2_000, 16, script); // warm-up: JIT, SQLite pages
    for (const concurrency of CONCURRENCY) {
      const before = await server.measure();
      const result = await runLoad(server.port, SESSIONS, concurrency, script);
      const after = await server.measure();
      rows.push({
        variant,
        concurrency,
        perSecond: result.sessions / result.seconds,
        p50: percentile(result.latenciesMs, 50),
        p99: percentile(result.latenciesMs, 99),
        max: percentile(result.latenciesMs, 100),
        cpuMicrosPerSession: (after.cpuMicros - before.cpuMicros) / result.sessions,
        rssMiB: after.rss / 2 ** 20,
        failures: result.failures,
      });
    }
  } finally {
    server.child.kill();
  }
  return rows;
}

const inbound = (index: number) =>
  `inbound?did=${encodeURIComponent(realisticDid(index))}&linkedid=1763900000.${index}`;
const variants: Array<[string, (index: number) => string]> = [
  ['floor', inbound],
  ['memory', inbound],
  ['switchboard', inbound],
];

console.log(
  `FastAGI benchmark: ${SESSIONS} inbound sessions per row; ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}); Node ${process.version}`,
);
const rows: Row[] = [];
for (const [variant, script] of variants) rows.push(...(await benchVariant(variant, script)));

const floorCpu = new Map(
  rows.filter((row) => row.variant === 'floor').map((row) => [row.concurrency, row.cpuMicrosPerSession]),
);
const header = [
  'variant',
  'conc',
  'sessions/s',
  'p50 ms',
  'p99 ms',
  'max ms',
  'CPU µs/session',
  'x floor',
  'RSS MiB',
  'failures',
];
const lines = rows.map((row) => [
  row.variant,
  String(row.concurrency),
  row.perSecond.toFixed(0),
  row.p50.toFixed(2),
  row.p99.toFixed(2),
  row.max.toFixed(2),
  row.cpuMicrosPerSession.toFixed(1),
  (row.cpuMicrosPerSession / (floorCpu.get(row.concurrency) ?? Number.NaN)).toFixed(2),
  row.rssMiB.toFixed(0),
  String(row.failures),
]);
const widths = header.map((title, column) =>
  Math.max(title.length, ...lines.map((line) => (line[column] ?? '').length)),
);
for (const line of [header, ...lines])
  console.log(line.map((cell, column) => cell.padStart(widths[column] ?? 0)).join('  '));
console.log(
  '\nfloor: raw net responder, same round trips; memory: our FastAGI server + in-memory table (issue 2);',
);
console.log('switchboard: snapshot of 1,000 DIDs with schedules, ring groups, hunts; call log in SQLite.');
