import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { admitsLoopbackOnly, isLoopbackHost } from './agi/allow-list.js';
import { createSwitchboard } from './app.js';
import {
  ConfigError,
  EXIT_CONFIG,
  loadEnvFile,
  loadServerConfig,
  readRoutingFile,
  SAMPLE_ROUTING,
} from './config.js';
import { EmptyStoreError } from './config-service/routing-service.js';

const USAGE = `Usage: switchboard-agi [--seed FILE | --seed-sample] [--init]

Runs the FastAGI server and the admin API. Settings come from the environment and from the env
file (SB_ENV_FILE, default .env at the repository root; variables already set win); see .env.example.

  --seed FILE     on a first run only (missing or empty store): load FILE (YAML or JSON) as version 1
  --seed-sample   the same with the sample routes (${SAMPLE_ROUTING})
  --init          initialise and exit: seed the store (with --seed), register the admin token
                  (SB_ADMIN_TOKEN, or a new one printed once on the terminal), start nothing
  -h, --help      this text

A store that already holds routing is never replaced; a missing or empty one without a seed
stops start-up (exit ${EXIT_CONFIG}), so Asterisk takes its static fallback.
`;

function parseCommandLine(args: readonly string[]): { seedFile: string | undefined; init: boolean } {
  const { values } = parseArgs({
    args: [...args],
    options: {
      seed: { type: 'string' },
      'seed-sample': { type: 'boolean', default: false },
      init: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  if (values.seed && values['seed-sample'])
    throw new ConfigError('give --seed FILE or --seed-sample, not both');
  return {
    seedFile: values.seed ?? (values['seed-sample'] ? SAMPLE_ROUTING : undefined),
    init: values.init,
  };
}

function showNewToken(token: string | undefined): void {
  // Shown once, on stderr (not in the JSON log): only its hash is stored. Under systemd stderr is
  // the journal, which is why the service is initialised by hand first (`--init`).
  if (token)
    process.stderr.write(
      `\nAdmin API token (shown once; keep it, e.g. export SWITCHBOARD_TOKEN=...):\n  ${token}\n\n`,
    );
}

export interface RunOptions {
  /** The command line after the script (default: the process's). */
  readonly args?: readonly string[];
  /**
   * The clock routing reads (default: the machine's). Only a caller in code can hand one in: the
   * test harness starts this same composition through test/support/server-at.ts at the instant a
   * test means; there is no setting for it, so nothing an operator configures can move it.
   */
  readonly clock?: () => Date;
}

// Configuration from the environment, logs as JSON lines on stdout (pino); under systemd stdout
// is the journal.
async function serve(options: RunOptions): Promise<void> {
  let seedFile: string | undefined;
  let init = false;
  try {
    ({ seedFile, init } = parseCommandLine(options.args ?? process.argv.slice(2)));
  } catch (error) {
    throw new ConfigError(`${(error as Error).message} (see --help)`);
  }
  const envFile = loadEnvFile();
  const config = loadServerConfig();
  const logger = pino({ level: config.SB_LOG_LEVEL, base: { service: 'switchboard' } });
  const switchboard = await createSwitchboard({
    config,
    logger,
    ...(options.clock ? { clock: options.clock } : {}),
    ...(seedFile ? { seed: readRoutingFile(seedFile), seedSource: seedFile } : {}),
  });
  if (init) {
    showNewToken(switchboard.newAdminToken);
    process.stdout.write(
      `route store ${switchboard.engine === 'postgres' ? 'PostgreSQL (DATABASE_URL)' : config.SB_DB_PATH} holds version ${switchboard.routing.snapshot.version}\n`,
    );
    await switchboard.close(0);
    return;
  }
  const { agi, api } = await switchboard.listen();
  const snapshot = switchboard.routing.snapshot;
  logger.info(
    {
      host: agi.address,
      port: agi.port,
      version: snapshot.version,
      routes: snapshot.config.routes.length,
      store: switchboard.engine === 'postgres' ? 'postgres (DATABASE_URL)' : config.SB_DB_PATH,
      envFile: envFile ?? null,
      allow: config.SB_AGI_ALLOW.map((rule) => `${rule.address}/${rule.prefix}`).join(','),
    },
    'FastAGI server listening',
  );
  if (!isLoopbackHost(config.SB_AGI_HOST) && admitsLoopbackOnly(config.SB_AGI_ALLOW))
    logger.warn(
      { host: config.SB_AGI_HOST },
      'FastAGI listens beyond loopback but SB_AGI_ALLOW admits this host only: list the PBXes (docs/fastagi.md)',
    );
  if (api) logger.info({ host: api.address, port: api.port }, 'admin API listening');
  showNewToken(switchboard.newAdminToken);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal, activeSessions: switchboard.agi.activeSessions }, 'draining AGI sessions');
    await switchboard.close();
    logger.info('stopped');
    logger.flush();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

/**
 * The server process: `main.ts` (the `switchboard-agi` bin, `npm start`) runs it with the
 * machine's clock. Start-up failures end the process: operator mistakes with one line and exit 78,
 * anything else with its stack and exit 1.
 */
export function runServer(options: RunOptions = {}): void {
  serve(options).catch((error: unknown) => {
    const expected = error instanceof ConfigError || error instanceof EmptyStoreError;
    const message = expected ? (error as Error).message : String((error as Error)?.stack ?? error);
    process.stderr.write(`switchboard: ${message}\n`);
    process.exit(expected ? EXIT_CONFIG : 1);
  });
}
