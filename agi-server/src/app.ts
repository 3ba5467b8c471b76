import type { Logger } from 'pino';
import { type AgiScriptHandler, createFastAgiServer, type FastAgiServer } from './agi/index.js';
import type { ServerConfig } from './config.js';
import { AgiScript, DialplanVariable } from './dialplan-contract.js';
import { createInboundHandler } from './handlers/inbound.js';
import type { InboundTable } from './routing/inbound-table.js';

/** The dispatch table: one AGI script name, one handler (wazo-agid's style, design §8). */
export function scriptTable(deps: {
  table: () => InboundTable;
  logger: Logger;
}): Map<string, AgiScriptHandler> {
  return new Map([[AgiScript.inbound, createInboundHandler(deps)]]);
}

export function createSwitchboardAgi(
  config: ServerConfig,
  table: InboundTable,
  logger: Logger,
): FastAgiServer {
  return createFastAgiServer({
    host: config.SB_AGI_HOST,
    port: config.SB_AGI_PORT,
    maxSessions: config.SB_AGI_MAX_SESSIONS,
    commandTimeoutMs: config.SB_AGI_COMMAND_TIMEOUT_MS,
    sessionDeadlineMs: config.SB_AGI_SESSION_DEADLINE_MS,
    errorVariable: DialplanVariable.agiError,
    scripts: scriptTable({ table: () => table, logger }),
    logger,
  });
}
