#!/usr/bin/env node
import { pino } from 'pino';
import { createSwitchboardAgi } from './app.js';
import { ConfigError, loadInboundTable, loadServerConfig } from './config.js';

// Entry point: configuration from the environment, logs as JSON lines on stdout (pino).
async function main(): Promise<void> {
  const config = loadServerConfig();
  const logger = pino({ level: config.SB_LOG_LEVEL, base: { service: 'switchboard-agi' } });
  const table = loadInboundTable(config.SB_ROUTES_FILE);
  const server = createSwitchboardAgi(config, table, logger);
  const address = await server.listen();
  logger.info(
    {
      host: address.address,
      port: address.port,
      routes: table.routes.length,
      routesFile: config.SB_ROUTES_FILE,
    },
    'FastAGI server listening',
  );

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal, activeSessions: server.activeSessions }, 'draining AGI sessions');
    await server.close(config.SB_SHUTDOWN_DRAIN_MS);
    logger.info('stopped');
    logger.flush();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((error: unknown) => {
  const message = error instanceof ConfigError ? error.message : String((error as Error)?.stack ?? error);
  process.stderr.write(`switchboard-agi: ${message}\n`);
  process.exit(1);
});
