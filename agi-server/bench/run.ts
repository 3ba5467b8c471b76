import { type ChildProcess, fork } from 'node:child_process';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { functionBench } from './function-bench.js';
import { percentile, runLoad } from './load-generator.js';
import { realisticDid } from './realistic-config.js';

/**
 * npm run bench: FastAGI sessions against each server variant in the same run, so that every
 * figure stands beside its baselines. Server CPU per session comes from the server process's own
 * accounting (process.cpuUsage), not from the load generator's. All servers start up front; each
 * concurrency runs the variants in turn, round after round, and the table shows each figure's
 * median over the rounds, so that drift on this shared 2-core machine hits every variant alike.
 */

const SERVER = fileURLToPath(new URL('./server-child.ts', import.meta.url));
const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 20_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONCURRENCY = (process.env.BENCH_CONCURRENCY ?? '1,16,64').split(',').map(Number);

interface Measure {
  cpuMicros: number;
  rss: number;
}

interface Server {
  child: ChildProcess;
  port: number;
  measure: () => Promise<Measure>;
}

async function startServer(variant: string): Promise<Server> {
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

async function measureRun(
  variant: string,
  server: Server,
  concurrency: number,
  script: (index: number) => string,
): Promise<Row> {
  const before = await server.measure();
  const result = await runLoad(server.port, SESSIONS, concurrency, script);
  const after = await server.measure();
  return {
    variant,
    concurrency,
    perSecond: result.sessions / result.seconds,
    p50: percentile(result.latenciesMs, 50),
    p99: percentile(result.latenciesMs, 99),
    max: percentile(result.latenciesMs, 100),
    cpuMicrosPerSession: (after.cpuMicros - before.cpuMicros) / result.sessions,
    rssMiB: after.rss / 2 ** 20,
    failures: result.failures,
  };
}

function medianRow(rows: readonly Row[]): Row {
  const middle = (key: 'perSecond' | 'p50' | 'p99' | 'cpuMicrosPerSession') => {
    const values = rows.map((row) => row[key]).sort((a, b) => a - b);
    return values[Math.floor(values.length / 2)] ?? Number.NaN;
  };
  const first = rows[0] as Row;
  return {
    variant: first.variant,
    concurrency: first.concurrency,
    perSecond: middle('perSecond'),
    p50: middle('p50'),
    p99: middle('p99'),
    max: Math.max(...rows.map((row) => row.max)),
    cpuMicrosPerSession: middle('cpuMicrosPerSession'),
    rssMiB: Math.max(...rows.map((row) => row.rssMiB)),
    failures: rows.reduce((sum, row) => sum + row.failures, 0),
  };
}

const inbound = (index: number) =>
  `inbound?did=${encodeURIComponent(realisticDid(index))}&linkedid=1763900000.${index}`;
const VARIANTS = ['floor', 'ding-dong', 'memory', 'switchboard'] as const;

console.log(
  `FastAGI benchmark: ${SESSIONS} inbound sessions per run, medians of ${ROUNDS} interleaved rounds; ` +
    `${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}); Node ${process.version}`,
);
const servers = new Map<string, Server>();
for (const variant of VARIANTS) servers.set(variant, await startServer(variant));
const rows: Row[] = [];
try {
  for (const variant of VARIANTS) await runLoad((servers.get(variant) as Server).port, 2_000, 16, inbound); // warm-up
  for (const concurrency of CONCURRENCY) {
    const runs = new Map<string, Row[]>();
    for (let round = 0; round < ROUNDS; round++) {
      for (const variant of VARIANTS) {
        const row = await measureRun(variant, servers.get(variant) as Server, concurrency, inbound);
        runs.set(variant, [...(runs.get(variant) ?? []), row]);
      }
    }
    for (const variant of VARIANTS) rows.push(medianRow(runs.get(variant) ?? []));
  }
} finally {
  for (const server of servers.values()) server.child.kill();
}
rows.sort(
  (a, b) =>
    VARIANTS.indexOf(a.variant as never) - VARIANTS.indexOf(b.variant as never) ||
    a.concurrency - b.concurrency,
);

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
  [
    '',
    'floor: a raw net responder, the same round trips, an in-memory Map, no parsing;',
    'ding-dong: that library + our router on the same 1,000-DID snapshot, one MSet, no call log;',
    'memory: our FastAGI server + an in-memory DID table, one MSet (the issue-2 path);',
    'switchboard: the product: snapshot of 1,000 DIDs (schedules, ring groups, hunts), router, call log in SQLite.',
  ].join('\n'),
);

console.log('');
for (const line of functionBench()) console.log(line);
