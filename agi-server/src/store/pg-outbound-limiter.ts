import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type pg from 'pg';
import type { Logger } from 'pino';
import { type Admission, OutboundLimiter, type OutboundLimits } from '../limits/outbound-limiter.js';
import type { OutboundPolicy } from '../routing/outbound-model.js';
import { inTransaction, isUnavailable } from './pg-pool.js';

/** How long releases gather before one UPDATE writes them. */
const RELEASE_BATCH_MS = 50;
/**
 * After PostgreSQL failed an admission, count locally for this long before asking it again: an
 * unreachable host costs the pool's 2 s connect timeout, which no call should wait for twice.
 */
const LOCAL_AFTER_FAILURE_MS = 5_000;

export interface LeaseOptions {
  /** How long an admitted call holds its place without being renewed. */
  readonly leaseMs: number;
  /** How often this server renews the leases of its calls in progress (well under leaseMs). */
  readonly renewMs: number;
}

/**
 * Outbound limits counted in PostgreSQL (table outbound_calls), so they hold across every
 * server: the per-minute count is the rows started in the last minute; the concurrent count is
 * the rows neither released nor past their lease. Each server renews the leases of the calls it
 * admitted; a server that dies stops renewing, and its places come back one lease later.
 * Admission per extension is serialised with a transaction-scoped advisory lock.
 *
 * While PostgreSQL is unreachable the limits fall back to this server's own count (logged):
 * calls keep flowing rather than being refused for a database outage. See docs/scale-out.md.
 */
export class PgOutboundLimiter implements OutboundLimits {
  private readonly local: OutboundLimiter;
  private readonly pendingReleases = new Set<string>();
  private releaseTimer: NodeJS.Timeout | undefined;
  private localUntil = 0;
  /** Calls admitted through PostgreSQL (not those counted locally during an outage). */
  private readonly shared = new Set<string>();
  private readonly timer: NodeJS.Timeout;
  readonly serverId = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;

  constructor(
    private readonly pool: pg.Pool,
    private readonly logger: Logger,
    private readonly options: LeaseOptions,
    maxCallMs?: number,
  ) {
    this.local = new OutboundLimiter(maxCallMs);
    this.timer = setInterval(() => void this.renew(), options.renewMs);
    this.timer.unref();
  }

  async admit(extension: string, linkedId: string, policy: OutboundPolicy, now: number): Promise<Admission> {
    if (Date.now() < this.localUntil) return this.local.admitNow(extension, linkedId, policy, now);
    try {
      const verdict = await inTransaction(this.pool, async (client) => {
        await client.query("SELECT pg_advisory_xact_lock(hashtext('switchboard-outbound:' || $1))", [
          extension,
        ]);
        const { rows } = await client.query<{ recent: number; active: number }>(
          `SELECT count(*) FILTER (WHERE started_at > now() - interval '1 minute')::int AS recent,
                  count(*) FILTER (WHERE released_at IS NULL AND lease_until > now())::int AS active
             FROM outbound_calls
            WHERE extension = $1
              AND (started_at > now() - interval '1 minute' OR (released_at IS NULL AND lease_until > now()))`,
          [extension],
        );
        const counts = rows[0] ?? { recent: 0, active: 0 };
        if (counts.recent >= policy.callsPerMinute) return 'calls-per-minute' as const;
        if (counts.active >= policy.maxConcurrent) return 'concurrent' as const;
        await client.query(
          `INSERT INTO outbound_calls (linked_id, extension, server_id, lease_until)
           VALUES ($1, $2, $3, now() + $4 * interval '1 millisecond')
           ON CONFLICT (linked_id) DO UPDATE SET lease_until = excluded.lease_until, released_at = NULL`,
          [linkedId, extension, this.serverId, this.options.leaseMs],
        );
        return 'ok' as const;
      });
      if (verdict === 'ok') {
        this.local.track(extension, linkedId, now);
        this.shared.add(linkedId);
      }
      return verdict;
    } catch (error) {
      if (!isUnavailable(error)) throw error;
      this.localUntil = Date.now() + LOCAL_AFTER_FAILURE_MS;
      this.logger.warn(
        { err: error, extension },
        'shared outbound limits unavailable: counting this server only',
      );
      return this.local.admitNow(extension, linkedId, policy, now);
    }
  }

  release(linkedId: string): void {
    this.local.release(linkedId);
    this.shared.delete(linkedId);
    // The hangup may reach any server: release by call id, whoever admitted it. Every call's
    // hangup comes here (inbound ones too), so releases are written in batches, not one by one.
    this.pendingReleases.add(linkedId);
    this.releaseTimer ??= setTimeout(() => {
      this.releaseTimer = undefined;
      void this.flushReleases();
    }, RELEASE_BATCH_MS);
  }

  inProgress(extension: string): number {
    return this.local.inProgress(extension);
  }

  private async flushReleases(): Promise<void> {
    if (this.pendingReleases.size === 0) return;
    const ids = [...this.pendingReleases];
    try {
      await this.pool.query(
        'UPDATE outbound_calls SET released_at = now() WHERE linked_id = ANY($1) AND released_at IS NULL',
        [ids],
      );
      for (const id of ids) this.pendingReleases.delete(id);
    } catch (error) {
      // Kept for the next renewal; meanwhile the lease bounds how long the place stays taken.
      this.logger.warn({ err: error, calls: ids.length }, 'outbound release not written; will retry');
    }
  }

  /**
   * Extends this server's leases, forgets here the calls released elsewhere, writes releases
   * that failed, deletes old rows.
   */
  async renew(): Promise<void> {
    await this.flushReleases();
    try {
      const inProgress = new Set(this.local.activeCalls(Date.now()));
      for (const linkedId of this.shared) if (!inProgress.has(linkedId)) this.shared.delete(linkedId);
      const active = [...this.shared];
      const { rows } = await this.pool.query<{ linked_id: string }>(
        `UPDATE outbound_calls SET lease_until = now() + $2 * interval '1 millisecond'
          WHERE linked_id = ANY($1) AND released_at IS NULL
          RETURNING linked_id`,
        [active, this.options.leaseMs],
      );
      // Calls whose hangup report went to another server are over here too.
      const renewed = new Set(rows.map((row) => row.linked_id));
      for (const linkedId of active)
        if (!renewed.has(linkedId)) {
          this.local.release(linkedId);
          this.shared.delete(linkedId);
        }
      await this.pool.query(
        `DELETE FROM outbound_calls
          WHERE started_at < now() - interval '1 hour' AND (released_at IS NOT NULL OR lease_until < now())`,
      );
    } catch (error) {
      this.logger.warn({ err: error }, 'outbound lease renewal failed; will retry');
    }
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    clearTimeout(this.releaseTimer);
    await this.flushReleases();
  }
}
