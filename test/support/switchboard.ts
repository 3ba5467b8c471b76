import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSwitchboard, type Switchboard } from '../../agi-server/src/app.js';
import { loadServerConfig } from '../../agi-server/src/config.js';
import type { RoutingConfigInput } from '../../agi-server/src/routing/model.js';
import { captureLogger } from './capture-logger.js';

/** A whole Switchboard on any free ports with a fresh SQLite file, as tests need it. */
export async function startSwitchboard(options: {
  seed: RoutingConfigInput;
  clock?: () => Date;
  agiPort?: number;
  withoutApi?: boolean;
  adminToken?: string;
  headerSecret?: string;
  /** More SB_* settings, as in the environment. */
  env?: Record<string, string>;
  /** Asterisk's CDR file, to reconcile the call log against (SB_CDR_FILE). */
  cdrFile?: string;
}): Promise<{
  switchboard: Switchboard;
  agiPort: number;
  apiUrl: string;
  token: string;
  log: ReturnType<typeof captureLogger>;
  dbPath: string;
}> {
  const log = captureLogger();
  const dbPath = join(mkdtempSync(join(tmpdir(), 'sb-store-')), 'switchboard.sqlite');
  const config = {
    ...loadServerConfig({
      SB_DB_PATH: dbPath,
      ...(options.adminToken ? { SB_ADMIN_TOKEN: options.adminToken } : {}),
      ...(options.headerSecret ? { SB_HEADER_SECRET: options.headerSecret } : {}),
      ...options.env,
      ...(options.cdrFile ? { SB_CDR_FILE: options.cdrFile } : {}),
    }),
    // Port 0 (any free port) is for tests only: the validated config never allows it.
    SB_AGI_PORT: options.agiPort ?? 0,
    SB_API_PORT: 0,
  };
  const switchboard = await createSwitchboard({
    config,
    logger: log.logger,
    seed: options.seed,
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.withoutApi ? { withoutApi: true } : {}),
  });
  const { agi, api } = await switchboard.listen();
  return {
    switchboard,
    agiPort: agi.port,
    apiUrl: api ? `http://127.0.0.1:${api.port}` : '',
    token: options.adminToken ?? switchboard.newAdminToken ?? '',
    log,
    dbPath,
  };
}
