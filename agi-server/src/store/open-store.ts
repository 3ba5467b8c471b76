import type { Logger } from 'pino';
import type { ServerConfig } from '../config.js';
import { OutboundLimiter, type OutboundLimits } from '../limits/outbound-limiter.js';
import { PgOutboundLimiter } from './pg-outbound-limiter.js';
import { openPgStore } from './pg-store.js';
import { openSqliteStore } from './sqlite-store.js';
import type { SwitchboardStore } from './types.js';

export interface StoreBackend {
  readonly store: SwitchboardStore;
  readonly engine: 'postgres' | 'sqlite';
  /** Outbound limits counted where the store can see every server (PostgreSQL) or here. */
  readonly outboundLimiter: OutboundLimits;
  /** How often to check the store's latest version (the safety net under LISTEN/NOTIFY). */
  readonly versionCheckMs: number;
}

/** PostgreSQL's version check when SB_CONFIG_POLL_MS is unset: NOTIFY does the real work. */
const PG_VERSION_CHECK_MS = 5_000;

/** DATABASE_URL=postgres://… picks PostgreSQL (several servers); otherwise SQLite at SB_DB_PATH. */
export async function openStore(config: ServerConfig, logger: Logger): Promise<StoreBackend> {
  if (config.DATABASE_URL) {
    const store = await openPgStore(config.DATABASE_URL, logger);
    return {
      store,
      engine: 'postgres',
      outboundLimiter: new PgOutboundLimiter(store.pool, logger, {
        leaseMs: config.SB_OUTBOUND_LEASE_MS,
        renewMs: Math.max(100, Math.floor(config.SB_OUTBOUND_LEASE_MS / 3)),
      }),
      versionCheckMs: config.SB_CONFIG_POLL_MS ?? PG_VERSION_CHECK_MS,
    };
  }
  return {
    store: openSqliteStore(config.SB_DB_PATH),
    engine: 'sqlite',
    outboundLimiter: new OutboundLimiter(),
    versionCheckMs: config.SB_CONFIG_POLL_MS ?? 0,
  };
}
