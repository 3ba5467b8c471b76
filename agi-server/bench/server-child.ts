import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { createFastAgiServer } from '../src/agi/index.js';
import { msetData } from '../src/agi/wire.js';
import { createSwitchboard } from '../src/app.js';
import { loadServerConfig } from '../src/config.js';
import { decisionVariables } from '../src/handlers/decision-variables.js';
import { routingConfigSchema } from '../src/routing/model.js';
import { routeCall } from '../src/routing/router.js';
import { buildSnapshot } from '../src/routing/snapshot.js';
import { startFloorServer } from './floor-server.js';
import { freePort } from './free-port.js';
import { realisticConfig } from './realistic-config.js';

/**
 * One server under test, in its own process so that its CPU time is its own
 * (process.cpuUsage). Variant from argv[2]; tells the parent its port; answers `measure`.
 */

type Variant = 'floor' | 'ding-dong' | 'memory' | 'switchboard' | 'switchboard-pg';
const variant = process.argv[2] as Variant;
const silent = pino({ level: 'silent' });
const ROUTE = 'EXEC MSet "SB_ACTION=dial,SB_DIAL=PJSIP/1000&PJSIP/1001&PJSIP/1002,SB_TIMEOUT=20"\n';

/** The floor: a raw `net` responder, same round trips (one MSet), an in-memory Map, no parsing. */
async function floorServer(): Promise<number> {
  const table = new Map<string, string>([['+19863330000', ROUTE]]);
  const server = await startFloorServer({
    host: '127.0.0.1',
    port: 0,
    answer: (environment) => table.get(/agi_extension: (\S+)/.exec(environment)?.[1] ?? '') ?? ROUTE,
  });
  return (server.address() as { port: number }).port;
}

/** Issue 2's path: our FastAGI server with an in-memory DID table, one MSet, no call log. */
async function memoryServer(): Promise<number> {
  const table = new Map([['+19863330000', { dial: 'PJSIP/1000&PJSIP/1001&PJSIP/1002', timeout: '20' }]]);
  const server = createFastAgiServer({
    host: '127.0.0.1',
    port: 0,
    logger: silent,
    maxSessions: 10_000,
    scripts: new Map([
      [
        'inbound',
        async (session) => {
          const route = table.get(session.env.query.did ?? '') ?? { dial: 'PJSIP/1000', timeout: '20' };
          await session.setVariables({ SB_ACTION: 'dial', SB_DIAL: route.dial, SB_TIMEOUT: route.timeout });
        },
      ],
    ]),
  });
  return (await server.listen()).port;
}

/**
 * ding-dong, the existing Node AGI library, doing the same lookup: our pure router on the same
 * 1,000-DID snapshot, the same variables in one MSet. No call log: this row isolates the
 * protocol layer.
 */
async function dingDongServer(): Promise<number> {
  const require = createRequire(import.meta.url);
  const AGIServer = require('ding-dong') as (handler: (context: DingDongContext) => void) => {
    start(port: number, host: string): Server;
  };
  const snapshot = buildSnapshot(routingConfigSchema.parse(realisticConfig()), 1);
  const server = AGIServer((context) => {
    context.onEvent('variables').then(async (vars) => {
      const query = new URLSearchParams(vars.agi_network_script?.split('?')[1] ?? '');
      const decision = routeCall(
        snapshot,
        { did: query.get('did') ?? undefined, caller: vars.agi_callerid, callerName: vars.agi_calleridname },
        new Date(),
      );
      await context.exec('MSet', msetData(decisionVariables(decision)));
      context.end();
    });
  }).start(await freePort(), '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as { port: number }).port;
}

interface DingDongContext {
  onEvent(name: 'variables'): Promise<Record<string, string>>;
  exec(application: string, args: string): Promise<unknown>;
  end(): void;
}

/**
 * The product: snapshot of 1,000 DIDs, pure router, call log written to SQLite, or to
 * PostgreSQL when the parent passes DATABASE_URL (the switchboard-pg variant).
 */
async function switchboardServer(): Promise<number> {
  const dbPath = join(mkdtempSync(join(tmpdir(), 'sb-bench-')), 'bench.sqlite');
  const databaseUrl = variant === 'switchboard-pg' ? process.env.DATABASE_URL : undefined;
  if (variant === 'switchboard-pg' && !databaseUrl) throw new Error('switchboard-pg needs DATABASE_URL');
  const config = {
    ...loadServerConfig({
      SB_DB_PATH: dbPath,
      SB_AGI_MAX_SESSIONS: '10000',
      ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    }),
    SB_AGI_PORT: 0,
  };
  const switchboard = await createSwitchboard({
    config,
    logger: silent,
    seed: realisticConfig(),
    withoutApi: true,
  });
  return (await switchboard.listen()).agi.port;
}

const start = {
  floor: floorServer,
  'ding-dong': dingDongServer,
  memory: memoryServer,
  switchboard: switchboardServer,
  'switchboard-pg': switchboardServer,
}[variant];
if (!start) throw new Error(`unknown variant ${variant}`);
const port = await start();
// A normal exit on SIGTERM, so that --cpu-prof (BENCH_PROFILE) writes its profile.
process.on('SIGTERM', () => process.exit(0));
process.on('message', (message: unknown) => {
  if (message === 'measure') {
    const cpu = process.cpuUsage();
    process.send?.({ cpuMicros: cpu.user + cpu.system, rss: process.memoryUsage().rss });
  }
});
process.send?.({ port });
