#!/usr/bin/env node
import { pino } from 'pino';
import { createSwitchboard } from './app.js';
import { ConfigError, loadServerConfig } from './config.js';

// Entry point: configuration from the environment, logs as JSON lines on stdout (pino).
async function main(): Promise<void> {
  const config = loadServerConfig();
  const logger = pino({ level: config.SB_LOG_LEVEL, base: { service: 'switchboard' } });
  const switchboard = await createSwitchboard({ config, logger });
  const { agi, api } = await switchboard.listen();
  const snapshot = switchboard.routing.snapshot;
  logger.info(
    {
      host: agi.address,
      port: agi.port,
      version: snapshot.version,
      routes: snapshot.config.routes.length,
      db: config.SB_DB_PATH,
    },
    'FastAGI server listening',
  );
  if (api) logger.info({ host: api.address, port: api.port }, 'admin API listening');
  if (switchboard.newAdminToken) {
    // Shown once, on the terminal only (not in the JSON log): only its hash is stored.
    process.stderr.write(
      `\nAdmin API token (shown once; keep it, e.g. export SWITCHBOARD_TOKEN=...):\n  ${switchboard.newAdminToken}\n\n`,
    );
  }

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

main().catch((error: unknown) => {
  const message = error instanceof ConfigError ? error.message : String((error as Error)?.stack ?? error);
  process.stderr.write(`switchboard: ${message}\n`);
  process.exit(1);
});
