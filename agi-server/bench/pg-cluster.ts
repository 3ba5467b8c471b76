import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from './free-port.js';

const run = promisify(execFile);

/**
 * A private PostgreSQL cluster for tests and benchmarks: its own data directory in a temp
 * folder, listening on 127.0.0.1 and a free port, trust auth (loopback only, thrown away
 * after). Binaries from Debian's package (test/pg/provision.sh). initdb refuses to run as
 * root, so as root everything runs as the `postgres` user the package creates.
 */
export interface PgCluster {
  readonly port: number;
  /** URL of database `name` (default: the `postgres` maintenance database). */
  url(name?: string): string;
  /** A fresh, empty database: one per test store, so tests never see each other's rows. */
  createDatabase(): Promise<string>;
  start(): Promise<void>;
  /** CPU time used so far by the cluster's processes (postmaster and its children), in µs. */
  cpuMicros(): number;
  /** Fast shutdown: open connections are cut, as in an outage. */
  stop(): Promise<void>;
  destroy(): Promise<void>;
}

function binDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((entry) => existsSync(join(root, entry, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (!versions[0]) throw new Error('PostgreSQL not installed: run test/pg/provision.sh');
  return join(root, versions[0], 'bin');
}

/** Kernel clock ticks per second for /proc/<pid>/stat times (Linux's USER_HZ). */
const CLOCK_TICKS = 100;

/** utime + stime of the postmaster and every child of it (Linux /proc), in µs. */
function clusterCpuMicros(pidFile: string): number {
  const postmaster = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  let ticks = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    // Fields after the command name (which may hold spaces) start at the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const [ppid, utime, stime] = [Number(fields[1]), Number(fields[11]), Number(fields[12])];
    // The postmaster's cutime/cstime hold its children that have exited (reaped).
    if (Number(entry) === postmaster) ticks += utime + stime + Number(fields[13]) + Number(fields[14]);
    else if (ppid === postmaster) ticks += utime + stime;
  }
  return (ticks / CLOCK_TICKS) * 1_000_000;
}

/** Creates a fresh, empty database on the cluster `adminUrl` points at; returns its URL. */
export async function createDatabase(adminUrl: string): Promise<string> {
  const name = `sb_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function startPgCluster(options: { durable?: boolean } = {}): Promise<PgCluster> {
  const bin = binDir();
  const asRoot = process.getuid?.() === 0;
  const exec = (program: string, args: string[]) =>
    asRoot
      ? run('runuser', ['-u', 'postgres', '--', join(bin, program), ...args])
      : run(join(bin, program), args);
  const dir = mkdtempSync(join(tmpdir(), 'sb-pg-'));
  if (asRoot) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    chownSync(dir, Number(stdout.trim()), Number(gid.trim()));
  }
  const data = join(dir, 'data');
  await exec('initdb', [
    '-D',
    data,
    '-U',
    'postgres',
    '-A',
    'trust',
    '-E',
    'UTF8',
    '--locale=C',
    '--no-sync',
  ]);
  const port = await freePort();
  const settings = [
    `-c listen_addresses=127.0.0.1`,
    `-p ${port}`,
    `-c unix_socket_directories=''`,
    `-c max_connections=200`,
    // Tests throw the data away: no need to wait for the disk.
    ...(options.durable ? [] : ['-c fsync=off', '-c synchronous_commit=off', '-c full_page_writes=off']),
  ].join(' ');
  const url = (name = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${name}`;
  const cluster: PgCluster = {
    port,
    url,
    createDatabase: () => createDatabase(url()),
    cpuMicros: () => clusterCpuMicros(join(data, 'postmaster.pid')),
    async start() {
      await exec('pg_ctl', [
        '-D',
        data,
        '-l',
        join(dir, 'server.log'),
        '-o',
        settings,
        '-w',
        '-t',
        '30',
        'start',
      ]);
    },
    async stop() {
      await exec('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
    },
    async destroy() {
      await cluster.stop().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await cluster.start();
  return cluster;
}
