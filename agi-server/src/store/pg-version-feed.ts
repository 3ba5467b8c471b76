import pg from 'pg';
import type { Logger } from 'pino';
import type { VersionListener } from './types.js';

/** The NOTIFY channel appendVersion signals on, in the same transaction as the new version. */
export const VERSION_CHANNEL = 'switchboard_versions';

const RETRY_MIN_MS = 250;
const RETRY_MAX_MS = 5_000;

/**
 * One dedicated connection that LISTENs for new versions (a pooled client cannot: LISTEN belongs
 * to a session). When the connection drops it reconnects with backoff and tells the listener to
 * resync, since notifications sent meanwhile are lost; the routing service's periodic version
 * check covers anything else missed.
 */
export class PgVersionFeed {
  private client: pg.Client | undefined;
  private retryMs = RETRY_MIN_MS;
  private retryTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly listeners: VersionListener[] = [];

  constructor(
    private readonly connectionString: string,
    private readonly logger: Logger,
  ) {}

  async add(listener: VersionListener): Promise<void> {
    this.listeners.push(listener);
    if (!this.client) await this.connect(false);
  }

  private emit(event: Parameters<VersionListener>[0]): void {
    for (const listener of this.listeners) listener(event);
  }

  private async connect(reconnecting: boolean): Promise<void> {
    const client = new pg.Client({ connectionString: this.connectionString, connectionTimeoutMillis: 2_000 });
    this.client = client;
    const lost = (error?: Error) => {
      if (this.client !== client || this.closed) return;
      this.client = undefined;
      this.logger.warn({ err: error, retryMs: this.retryMs }, 'config change feed lost; reconnecting');
      client.end().catch(() => undefined);
      this.scheduleReconnect();
    };
    client.on('error', lost);
    client.on('end', () => lost());
    client.on('notification', (message) => {
      const version = Number(message.payload);
      if (Number.isInteger(version)) this.emit({ version });
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${VERSION_CHANNEL}`);
      this.retryMs = RETRY_MIN_MS;
      if (reconnecting) {
        this.logger.info('config change feed reconnected');
        this.emit({ resync: true });
      }
    } catch (error) {
      if (!reconnecting) throw error;
      lost(error as Error);
    }
  }

  private scheduleReconnect(): void {
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      if (!this.closed) void this.connect(true);
    }, this.retryMs);
    this.retryMs = Math.min(this.retryMs * 2, RETRY_MAX_MS);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retryTimer);
    await this.client?.end().catch(() => undefined);
    this.client = undefined;
  }
}
