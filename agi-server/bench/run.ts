import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { functionBench } from './function-bench.js';
import { runLoad } from './load-generator.js';
import { type PgCluster, startPgCluster } from './pg-cluster.js';
import { measurePropagation } from './propagation.js';
import { realisticDid } from './realistic-config.js';
import { median, percentile } from './stats.js';

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
  /** CPU of a database server beside it (PostgreSQL's processes), in µs so far. */
  storeCpuMicros?: () => number;
}

/**
 * BENCH_BASELINE=<another checkout> adds the variant `baseline`: that checkout's switchboard
 * server (its own bench/server-child.ts and src/), measured in the same run, round by round beside
 * this one, for before/after ratios that share the machine's state.
 */
const BASELINE = process.env.BENCH_BASELINE;

async function startServer(variant: string, env: Record<string, string> = {}): Promise<Server> {
  const [script, argument] =
    variant === 'baseline' && BASELINE
      ? [join(BASELINE, 'agi-server/bench/server-child.ts'), 'switchboard']
      : [SERVER, variant];
  // BENCH_PROFILE=<dir>: the switchboard server writes a V8 CPU profile there when it stops.
  const profile =
    process.env.BENCH_PROFILE && variant === 'switchboard'
      ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`]
      : [];
  const child = fork(script, [argument], {
    // The contract's TypeScript source, as in every `tsx` script of ours: a contract/dist older
    // than the sources (after a pull, before a build) must not be what the servers run.
    execArgv: ['--conditions=switchboard-source', '--import', 'tsx', ...profile],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, ...env },
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
  /** PostgreSQL's own CPU per session (the SQLite store's is inside cpuMicrosPerSession). */
  storeCpuMicrosPerSession: number;
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
  const storeBefore = server.storeCpuMicros?.() ?? Number.NaN;
  const result = await runLoad(server.port, SESSIONS, concurrency, script);
  // The call log is written off the reply path: let the last batches land before reading CPU.
  await new Promise((resolve) => setTimeout(resolve, server.storeCpuMicros ? 500 : 0));
  const after = await server.measure();
  const storeAfter = server.storeCpuMicros?.() ?? Number.NaN;
  return {
    variant,
    concurrency,
    perSecond: result.sessions / result.seconds,
    p50: percentile(result.latenciesMs, 50),
    p99: percentile(result.latenciesMs, 99),
    max: percentile(result.latenciesMs, 100),
    cpuMicrosPerSession: (after.cpuMicros - before.cpuMicros) / result.sessions,
    storeCpuMicrosPerSession: (storeAfter - storeBefore) / result.sessions,
    rssMiB: after.rss / 2 ** 20,
    failures: result.failures,
  };
}

function medianRow(rows: readonly Row[]): Row {
  const middle = (key: 'perSecond' | 'p50' | 'p99' | 'cpuMicrosPerSession' | 'storeCpuMicrosPerSession') =>
    median(rows.map((row) => row[key]));
  const first = rows[0] as Row;
  return {
    variant: first.variant,
    concurrency: first.concurrency,
    perSecond: middle('perSecond'),
    p50: middle('p50'),
    p99: middle('p99'),
    max: Math.max(...rows.map((row) => row.max)),
    cpuMicrosPerSession: middle('cpuMicrosPerSession'),
    storeCpuMicrosPerSession: middle('storeCpuMicrosPerSession'),
    rssMiB: Math.max(...rows.map((row) => row.rssMiB)),
    failures: rows.reduce((sum, row) => sum + row.failures, 0),
  };
}

const inbound = (index: number) =>
  `inbound?did=${encodeURIComponent(realisticDid(index))}&linkedid=1763900000.${index}`;
const ALL_VARIANTS = ['floor', 'ding-dong', 'memory', 'baseline', 'switchboard', 'switchboard-pg'] as const;
/**
 * BENCH_VARIANTS=floor,ding-dong,switchboard runs a subset (the floor always; a before/after
 * comparison needs only these); without switchboard-pg no PostgreSQL cluster is started and the
 * propagation figures are left out. BENCH_FUNCTIONS=0 leaves out the Twilio Function's figures.
 */
const VARIANTS = ALL_VARIANTS.filter(
  (variant) =>
    variant === 'floor' ||
    (variant === 'baseline' && BASELINE !== undefined) ||
    (process.env.BENCH_VARIANTS ?? ALL_VARIANTS.join(',')).split(',').includes(variant),
);
/** PostgreSQL for the switchboard-pg variant: a private cluster, durable settings (fsync on). */
const cluster: PgCluster | undefined = VARIANTS.includes('switchboard-pg')
  ? await startPgCluster({ durable: true })
  : undefined;

console.log(
  `FastAGI benchmark: ${SESSIONS} inbound sessions per run, medians of ${ROUNDS} interleaved rounds; ` +
    `${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}); Node ${process.version}`,
);
const servers = new Map<string, Server>();
for (const variant of VARIANTS) {
  if (variant === 'switchboard-pg' && cluster) {
    const server = await startServer(variant, { DATABASE_URL: await cluster.createDatabase() });
    servers.set(variant, { ...server, storeCpuMicros: () => cluster.cpuMicros() });
  } else servers.set(variant, await startServer(variant));
}
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
  await Promise.all(
    [...servers.values()].map((server) => {
      const exited = once(server.child, 'exit');
      server.child.kill();
      return exited;
    }),
  );
}
let propagation: string[] = [];
if (cluster) {
  try {
    propagation = await measurePropagation(cluster.url(), Number(process.env.BENCH_CHANGES ?? 200));
  } finally {
    await cluster.destroy();
  }
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
  'DB µs/session',
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
  Number.isNaN(row.storeCpuMicrosPerSession) ? '-' : row.storeCpuMicrosPerSession.toFixed(1),
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
    ...(BASELINE
      ? [`baseline: the switchboard variant of another checkout (BENCH_BASELINE), same run;`]
      : []),
    'switchboard: the product: snapshot of 1,000 DIDs (schedules, ring groups, hunts), router, call log in SQLite.',
    'switchboard-pg: the same on PostgreSQL (DATABASE_URL; private cluster, fsync on); DB µs/session is',
    "  PostgreSQL's own CPU (its processes), on top of the server's; SQLite's is inside the server's.",
  ].join('\n'),
);

console.log('');
console.log('PostgreSQL-backed server against SQLite and the floor, same run (medians):');
for (const concurrency of CONCURRENCY) {
  const pick = (variant: string) =>
    rows.find((row) => row.variant === variant && row.concurrency === concurrency);
  const [pgRow, sqliteRow, floorRow] = [pick('switchboard-pg'), pick('switchboard'), pick('floor')];
  if (!pgRow || !sqliteRow || !floorRow) continue;
  const ratio = (a: number, b: number) => (a / b).toFixed(2);
  console.log(
    `  conc ${concurrency}: sessions/s x${ratio(pgRow.perSecond, sqliteRow.perSecond)} SQLite, ` +
      `x${ratio(pgRow.perSecond, floorRow.perSecond)} floor; server CPU µs/session ` +
      `x${ratio(pgRow.cpuMicrosPerSession, sqliteRow.cpuMicrosPerSession)} SQLite, ` +
      `x${ratio(pgRow.cpuMicrosPerSession, floorRow.cpuMicrosPerSession)} floor; ` +
      `server + PostgreSQL CPU x${ratio(pgRow.cpuMicrosPerSession + pgRow.storeCpuMicrosPerSession, sqliteRow.cpuMicrosPerSession)} SQLite; ` +
      `p99 ${pgRow.p99.toFixed(2)} vs ${sqliteRow.p99.toFixed(2)} ms`,
  );
}
console.log('');
for (const line of propagation) console.log(line);

console.log('');
if (process.env.BENCH_FUNCTIONS !== '0') for (const line of functionBench()) console.log(line);
