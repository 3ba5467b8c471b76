import type pg from 'pg';
import type { Logger } from 'pino';
import { routingConfigSchema } from '../routing/model.js';
import { callRecordFromRow, opt, type CallRow as SharedCallRow } from './call-rows.js';
import { NonceCache } from './nonce-cache.js';
import { pgMessages } from './pg-messages.js';
import { migratePg } from './pg-migrations.js';
import { createPgPool, guarded, inTransaction, isUnavailable } from './pg-pool.js';
import { PgVersionFeed, VERSION_CHANNEL } from './pg-version-feed.js';
import {
  type CallFilter,
  type CallRecord,
  type ConfigVersion,
  type SwitchboardStore,
  VersionConflictError,
  type VersionMeta,
} from './types.js';

/**
 * The shared store for several AGI servers: PostgreSQL through node-postgres, plain SQL (the
 * statements are few and fixed; a query builder would not earn its place). Same behaviour as
 * the SQLite store (test/store-contract); in addition every new version is announced with
 * NOTIFY so other servers swap their snapshot at once. See docs/scale-out.md.
 */

interface VersionRow {
  version: number;
  created_at: Date;
  author: string;
  author_token: string | null;
  summary: string;
  restored_from: number | null;
  document?: unknown;
}

type CallRow = SharedCallRow<Date>;

interface StepRow {
  linked_id: string;
  attempt: number;
  at: Date;
  label: string;
  targets: string[];
  outcome: string | null;
}

const CALL_FILTERS: ReadonlyArray<[Exclude<keyof CallFilter, 'limit'>, string]> = [
  ['did', 'did ='],
  ['caller', 'caller ='],
  ['disposition', 'disposition ='],
  ['since', 'started_at >='],
  ['until', 'started_at <'],
];

function toMeta(row: VersionRow): VersionMeta {
  return {
    version: row.version,
    createdAt: row.created_at.toISOString(),
    author: row.author,
    authorToken: opt(row.author_token),
    summary: row.summary,
    restoredFrom: opt(row.restored_from),
  };
}

function toVersion(row: VersionRow | undefined): ConfigVersion | undefined {
  if (!row?.document) return undefined;
  return { ...toMeta(row), config: routingConfigSchema.parse(row.document) };
}

const UNIQUE_VIOLATION = '23505';

/**
 * Claims a nonce for `owner` unless another owner holds it unexpired; answers the holder. The
 * outer SELECT sees the row as it was before this statement, so a nonce already held answers its
 * owner (the same call retrying gets true, another call false).
 */
const CLAIM_NONCE = `
  WITH claimed AS (
    INSERT INTO header_nonces (nonce, owner, expires_at) VALUES ($1, $2, $3)
    ON CONFLICT (nonce) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
      WHERE header_nonces.expires_at <= now()
    RETURNING owner
  )
  SELECT owner FROM claimed
  UNION ALL
  SELECT owner FROM header_nonces WHERE nonce = $1 AND NOT EXISTS (SELECT 1 FROM claimed)`;

/** How often expired nonces are deleted. */
const NONCE_CLEANUP_MS = 60_000;

const LATEST_SQL = 'SELECT * FROM config_versions ORDER BY version DESC LIMIT 1';

export interface PgStore extends SwitchboardStore {
  /** For the parts that keep shared state beside the store (outbound leases). */
  readonly pool: pg.Pool;
}

/** Connects, migrates (once, under an advisory lock) and returns the store. */
export async function openPgStore(connectionString: string, logger: Logger): Promise<PgStore> {
  const pool = createPgPool(connectionString, logger);
  try {
    await guarded(() => migratePg(pool));
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw error;
  }
  const feed = new PgVersionFeed(connectionString, logger);
  // While PostgreSQL is away, nonces are claimed in this process (a replay to another server in
  // that time is not caught): refusing every signed call for a database outage would be worse.
  const localNonces = new NonceCache();
  const nonceCleanup = setInterval(() => {
    pool.query('DELETE FROM header_nonces WHERE expires_at < now()').catch(() => undefined);
  }, NONCE_CLEANUP_MS);
  nonceCleanup.unref();
  const query = <R extends pg.QueryResultRow>(text: string, values?: unknown[]) =>
    guarded(() => pool.query<R>(text, values));

  async function callsWithSteps(rows: CallRow[]): Promise<CallRecord[]> {
    if (rows.length === 0) return [];
    const { rows: steps } = await query<StepRow>(
      'SELECT * FROM call_steps WHERE linked_id = ANY($1) ORDER BY linked_id, attempt',
      [rows.map((row) => row.linked_id)],
    );
    return rows.map((row) =>
      callRecordFromRow(
        row,
        steps
          .filter((step) => step.linked_id === row.linked_id)
          .map((step) => ({
            attempt: step.attempt,
            at: step.at.toISOString(),
            label: step.label,
            targets: step.targets,
            outcome: opt(step.outcome),
          })),
        (time) => time.toISOString(),
      ),
    );
  }

  return {
    pool,
    ...pgMessages(pool),
    async latestVersion() {
      return toVersion((await query<VersionRow>(LATEST_SQL)).rows[0]);
    },
    async latestVersionNumber() {
      const { rows } = await query<{ version: number | null }>(
        'SELECT max(version) AS version FROM config_versions',
      );
      return rows[0]?.version ?? undefined;
    },
    async getVersion(version) {
      return toVersion(
        (await query<VersionRow>('SELECT * FROM config_versions WHERE version = $1', [version])).rows[0],
      );
    },
    async history(limit) {
      const { rows } = await query<VersionRow>(
        'SELECT version, created_at, author, author_token, summary, restored_from FROM config_versions ORDER BY version DESC LIMIT $1',
        [limit],
      );
      return rows.map(toMeta);
    },
    appendVersion(change) {
      return guarded(() =>
        inTransaction(pool, async (client) => {
          const { rows } = await client.query<{ version: number | null }>(
            'SELECT max(version) AS version FROM config_versions',
          );
          const latest = rows[0]?.version ?? undefined;
          if (latest !== change.basedOn) {
            throw new VersionConflictError(
              `configuration changed meanwhile: now version ${latest ?? 'none'}, change based on ${change.basedOn ?? 'none'}`,
            );
          }
          const version = (latest ?? 0) + 1;
          const createdAt = new Date().toISOString();
          try {
            await client.query(
              'INSERT INTO config_versions (version, created_at, author, author_token, summary, restored_from, document) VALUES ($1, $2, $3, $4, $5, $6, $7)',
              [
                version,
                createdAt,
                change.author,
                change.authorToken ?? null,
                change.summary,
                change.restoredFrom ?? null,
                JSON.stringify(change.config),
              ],
            );
          } catch (error) {
            // Another server inserted the same version number first (both read the same latest).
            if ((error as { code?: string }).code === UNIQUE_VIOLATION)
              throw new VersionConflictError(`configuration changed meanwhile: version ${version} taken`);
            throw error;
          }
          // Delivered to every listening server when (and only if) this transaction commits.
          await client.query('SELECT pg_notify($1, $2)', [VERSION_CHANNEL, String(version)]);
          return {
            version,
            createdAt,
            author: change.author,
            authorToken: change.authorToken,
            summary: change.summary,
            restoredFrom: change.restoredFrom,
            config: change.config,
          };
        }),
      );
    },
    async watchVersions(listener) {
      await guarded(() => feed.add(listener));
      return true;
    },
    async writeCallEvents(events) {
      if (events.length === 0) return;
      // One statement, so one transaction: the whole batch or nothing (see pg-migrations.ts).
      await query('SELECT switchboard_write_call_events($1::jsonb)', [JSON.stringify(events)]);
    },
    async listCalls(filter) {
      const where: string[] = [];
      const values: unknown[] = [];
      for (const [key, clause] of CALL_FILTERS) {
        const value = filter[key];
        if (value === undefined) continue;
        values.push(value);
        where.push(`${clause} $${values.length}`);
      }
      values.push(filter.limit);
      const { rows } = await query<CallRow>(
        `SELECT * FROM calls ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY started_at DESC, linked_id DESC LIMIT $${values.length}`,
        values,
      );
      return callsWithSteps(rows);
    },
    async getCall(linkedId) {
      const { rows } = await query<CallRow>('SELECT * FROM calls WHERE linked_id = $1', [linkedId]);
      return (await callsWithSteps(rows))[0];
    },
    async hasAdminTokens() {
      const { rows } = await query<{ found: boolean }>('SELECT EXISTS (SELECT 1 FROM admin_tokens) AS found');
      return rows[0]?.found === true;
    },
    async addAdminToken(name, hash) {
      // Several servers may register the same environment token at once.
      await query(
        'INSERT INTO admin_tokens (hash, name, created_at) VALUES ($1, $2, now()) ON CONFLICT (hash) DO NOTHING',
        [hash, name],
      );
    },
    async findAdminToken(hash) {
      const { rows } = await query<{ name: string }>('SELECT name FROM admin_tokens WHERE hash = $1', [hash]);
      return rows[0];
    },
    async health() {
      try {
        await pool.query('SELECT 1');
        return { ok: true, generation: 1, problem: undefined };
      } catch (error) {
        return { ok: false, generation: 1, problem: `PostgreSQL unavailable: ${(error as Error).message}` };
      }
    },
    async claimNonce(nonce, owner, expiresAt) {
      try {
        const { rows } = await pool.query<{ owner: string }>(CLAIM_NONCE, [nonce, owner, expiresAt]);
        return rows[0]?.owner === owner;
      } catch (error) {
        if (!isUnavailable(error)) throw error;
        logger.warn({ err: error }, 'shared replay cache unavailable: checking nonces in this server only');
        return localNonces.claim(nonce, owner, Date.parse(expiresAt));
      }
    },
    async close() {
      clearInterval(nonceCleanup);
      await feed.close();
      await pool.end();
    },
  };
}
