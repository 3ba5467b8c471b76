import { mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { routingConfigSchema } from '../routing/model.js';
import { callRecordFromRow, opt, type CallRow as SharedCallRow } from './call-rows.js';
import { NonceCache } from './nonce-cache.js';
import { refuseNewerSchema } from './schema-version.js';
import { sqliteMessages } from './sqlite-messages.js';
import { SQLITE_MIGRATIONS } from './sqlite-migrations.js';
import {
  type AppendVersion,
  type CallEvent,
  type CallFilter,
  type CallRecord,
  type CallStep,
  type ConfigVersion,
  StoreUnavailableError,
  type SwitchboardStore,
  VersionConflictError,
  type VersionMeta,
} from './types.js';

/**
 * Several servers on one host may share the file: writers wait up to the busy timeout for the
 * lock and take it at BEGIN (IMMEDIATE), because a read-then-write transaction that upgrades its
 * lock later fails with SQLITE_BUSY at once, whatever the busy timeout.
 * SQLITE_BUSY after the busy timeout: the file is locked by another process; try again later.
 */
function unlocked<T>(operation: () => T): T {
  try {
    return operation();
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('SQLITE_BUSY'))
      throw new StoreUnavailableError(`SQLite file busy: ${(error as Error).message}`, { cause: error });
    throw error;
  }
}

interface VersionRow {
  version: number;
  created_at: string;
  author: string;
  author_token: string | null;
  summary: string;
  restored_from: number | null;
  document?: string;
}

type CallRow = SharedCallRow<string>;

interface StepRow {
  attempt: number;
  at: string;
  label: string;
  targets: string;
  outcome: string | null;
}

/** Call-log filters: each set field adds its clause (values are always bound, never spliced). */
const CALL_FILTERS: ReadonlyArray<[Exclude<keyof CallFilter, 'limit'>, string]> = [
  ['did', 'did = @did'],
  ['caller', 'caller = @caller'],
  ['disposition', 'disposition = @disposition'],
  ['since', 'started_at >= @since'],
  ['until', 'started_at < @until'],
];

function toMeta(row: VersionRow): VersionMeta {
  return {
    version: row.version,
    createdAt: row.created_at,
    author: row.author,
    authorToken: opt(row.author_token),
    summary: row.summary,
    restoredFrom: opt(row.restored_from),
  };
}

export function migrateSqlite(db: Database.Database): number {
  const current = db.pragma('user_version', { simple: true }) as number;
  refuseNewerSchema('SQLite', current, SQLITE_MIGRATIONS.length);
  for (let index = current; index < SQLITE_MIGRATIONS.length; index++) {
    db.transaction(() => {
      db.exec(SQLITE_MIGRATIONS[index] as string);
      db.pragma(`user_version = ${index + 1}`);
    })();
  }
  return SQLITE_MIGRATIONS.length;
}

/** Device and inode of a file: which file a path names right now. */
interface FileIdentity {
  readonly dev: number;
  readonly ino: number;
}

function identityOf(path: string): FileIdentity | undefined {
  try {
    const stats = statSync(path);
    return { dev: stats.dev, ino: stats.ino };
  } catch {
    return undefined;
  }
}

function openDatabase(path: string): Database.Database {
  const db = new Database(path, { fileMustExist: false });
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  // better-sqlite3 is synchronous: a write waiting on another process's lock blocks the event
  // loop, and with it every AGI session. Give up soon instead; the call log retries later.
  db.pragma('busy_timeout = 250');
  try {
    migrateSqlite(db);
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}

function prepareStatements(db: Database.Database) {
  return {
    latest: db.prepare<[], VersionRow>('SELECT * FROM config_versions ORDER BY version DESC LIMIT 1'),
    latestNumber: db.prepare<[], { version: number | null }>(
      'SELECT max(version) AS version FROM config_versions',
    ),
    byVersion: db.prepare<[number], VersionRow>('SELECT * FROM config_versions WHERE version = ?'),
    history: db.prepare<[number], VersionRow>(
      'SELECT version, created_at, author, author_token, summary, restored_from FROM config_versions ORDER BY version DESC LIMIT ?',
    ),
    insertVersion: db.prepare(
      'INSERT INTO config_versions (version, created_at, author, author_token, summary, restored_from, document) VALUES (@version, @createdAt, @author, @authorToken, @summary, @restoredFrom, @document)',
    ),
    startCall: db.prepare(
      `INSERT INTO calls (linked_id, call_sid, did, caller, route_id, route_version, plan, started_at, note, signature)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (linked_id) DO UPDATE SET call_sid = excluded.call_sid, did = excluded.did, caller = excluded.caller,
         route_id = excluded.route_id, route_version = excluded.route_version, plan = excluded.plan,
         started_at = min(calls.started_at, excluded.started_at), note = excluded.note, signature = excluded.signature`,
    ),
    attempt: db.prepare(
      `INSERT INTO call_steps (linked_id, attempt, at, label, targets) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (linked_id, attempt) DO UPDATE SET at = excluded.at, label = excluded.label, targets = excluded.targets`,
    ),
    outcome: db.prepare('UPDATE call_steps SET outcome = ? WHERE linked_id = ? AND attempt = ?'),
    endCall: db.prepare(
      `INSERT INTO calls (linked_id, started_at, disposition, answered_by, answered_at, ended_at)
       VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (linked_id) DO UPDATE SET disposition = excluded.disposition, answered_by = excluded.answered_by,
         answered_at = excluded.answered_at, ended_at = excluded.ended_at`,
    ),
    call: db.prepare<[string], CallRow>('SELECT * FROM calls WHERE linked_id = ?'),
    steps: db.prepare<[string], StepRow>('SELECT * FROM call_steps WHERE linked_id = ? ORDER BY attempt'),
    hasTokens: db.prepare<[], { n: number }>('SELECT count(*) AS n FROM admin_tokens'),
    addToken: db.prepare('INSERT OR IGNORE INTO admin_tokens (hash, name, created_at) VALUES (?, ?, ?)'),
    findToken: db.prepare<[string], { name: string }>('SELECT name FROM admin_tokens WHERE hash = ?'),
  };
}

/**
 * The embedded default store: one SQLite file in WAL mode (better-sqlite3, synchronous).
 *
 * SQLite keeps writing into a file that was deleted or replaced under it (the open descriptor
 * still works), so rows would vanish without an error. Every write and every health check
 * therefore compares the device and inode at `path` with the file opened: a missing path fails
 * the write (the call log keeps the rows and retries), a different file is reopened (a new
 * `generation`, so the call log re-writes its recent rows there). See docs/call-log.md.
 */
export function openSqliteStore(path: string): SwitchboardStore {
  const onDisk = path !== ':memory:';
  if (onDisk) mkdirSync(dirname(path), { recursive: true });
  let db = openDatabase(path);
  let statements = prepareStatements(db);
  let opened = onDisk ? identityOf(path) : undefined;
  let generation = 1;
  const nonces = new NonceCache();

  /** Makes sure `db` is the file at `path`; reopens a replaced one; throws when there is none. */
  function ensureCurrent(): void {
    if (!onDisk) return;
    const now = identityOf(path);
    if (!now) throw new StoreUnavailableError(`store file ${path} is missing`);
    if (opened && now.dev === opened.dev && now.ino === opened.ino) return;
    const next = openDatabase(path);
    db.close();
    db = next;
    statements = prepareStatements(db);
    opened = identityOf(path);
    generation++;
    rebuildTransactions();
  }

  function toVersion(row: VersionRow | undefined): ConfigVersion | undefined {
    if (!row?.document) return undefined;
    return { ...toMeta(row), config: routingConfigSchema.parse(JSON.parse(row.document)) };
  }

  const appendVersion = (change: AppendVersion): ConfigVersion => {
    const latest = statements.latest.get();
    if ((latest?.version ?? undefined) !== change.basedOn) {
      throw new VersionConflictError(
        `configuration changed meanwhile: now version ${latest?.version ?? 'none'}, change based on ${change.basedOn ?? 'none'}`,
      );
    }
    const version = (latest?.version ?? 0) + 1;
    const createdAt = new Date().toISOString();
    statements.insertVersion.run({
      version,
      createdAt,
      author: change.author,
      authorToken: change.authorToken ?? null,
      summary: change.summary,
      restoredFrom: change.restoredFrom ?? null,
      document: JSON.stringify(change.config),
    });
    return {
      version,
      createdAt,
      author: change.author,
      authorToken: change.authorToken,
      summary: change.summary,
      restoredFrom: change.restoredFrom,
      config: change.config,
    };
  };

  // Positional parameters (the statements' `?` in column order): binding named ones looks each
  // name up on an object, which was most of a call-log row's cost on the call path's CPU.
  const writeEvents = (events: readonly CallEvent[]): void => {
    for (const event of events) {
      switch (event.type) {
        case 'start':
          statements.startCall.run(
            event.linkedId,
            event.callSid ?? null,
            event.did ?? null,
            event.caller ?? null,
            event.routeId ?? null,
            event.version,
            event.plan ?? null,
            event.at,
            event.note ?? null,
            event.signature ?? null,
          );
          break;
        case 'attempt':
          statements.attempt.run(
            event.linkedId,
            event.attempt,
            event.at,
            event.label,
            JSON.stringify(event.targets),
          );
          break;
        case 'outcome':
          statements.outcome.run(event.outcome, event.linkedId, event.attempt);
          break;
        case 'end':
          statements.endCall.run(
            event.linkedId,
            event.at,
            event.disposition,
            event.answeredBy ?? null,
            event.answeredAt ?? null,
            event.at,
          );
          break;
      }
    }
  };

  let appendTx = db.transaction(appendVersion);
  let writeEventsTx = db.transaction(writeEvents);
  function rebuildTransactions(): void {
    appendTx = db.transaction(appendVersion);
    writeEventsTx = db.transaction(writeEvents);
  }

  function toCall(row: CallRow): CallRecord {
    const steps: CallStep[] = statements.steps.all(row.linked_id).map((step) => ({
      attempt: step.attempt,
      at: step.at,
      label: step.label,
      targets: JSON.parse(step.targets) as string[],
      outcome: opt(step.outcome),
    }));
    return callRecordFromRow(row, steps, (time) => time);
  }

  return {
    ...sqliteMessages(
      () => {
        ensureCurrent();
        return db;
      },
      (operation) => unlocked(operation),
    ),
    async latestVersion() {
      return toVersion(statements.latest.get());
    },
    async latestVersionNumber() {
      return statements.latestNumber.get()?.version ?? undefined;
    },
    async getVersion(version) {
      return toVersion(statements.byVersion.get(version));
    },
    async history(limit) {
      return statements.history.all(limit).map(toMeta);
    },
    async appendVersion(change) {
      ensureCurrent();
      return unlocked(() => appendTx.immediate(change));
    },
    async watchVersions() {
      return false;
    },
    async writeCallEvents(events) {
      ensureCurrent();
      unlocked(() => writeEventsTx.immediate(events));
      // The file may have gone while we wrote: then these rows are not where the path points,
      // and the caller must keep them (writes are upserts, so writing them again is harmless).
      ensureCurrent();
    },
    async listCalls(filter: CallFilter) {
      const where: string[] = [];
      const params: Record<string, string | number> = { limit: filter.limit };
      for (const [key, clause] of CALL_FILTERS) {
        const value = filter[key];
        if (value === undefined) continue;
        where.push(clause);
        params[key] = value;
      }
      const sql = `SELECT * FROM calls ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY started_at DESC, linked_id DESC LIMIT @limit`;
      return (db.prepare(sql).all(params) as CallRow[]).map(toCall);
    },
    async getCall(linkedId) {
      const row = statements.call.get(linkedId);
      return row ? toCall(row) : undefined;
    },
    async hasAdminTokens() {
      return (statements.hasTokens.get()?.n ?? 0) > 0;
    },
    async addAdminToken(name, hash) {
      unlocked(() => statements.addToken.run(hash, name, new Date().toISOString()));
    },
    async findAdminToken(hash) {
      return statements.findToken.get(hash);
    },
    async health() {
      try {
        ensureCurrent();
        // A read proves the file is a usable database, not just present.
        statements.latestNumber.get();
        return { ok: true, generation, problem: undefined };
      } catch (error) {
        return { ok: false, generation, problem: (error as Error).message };
      }
    },
    async claimNonce(nonce, owner, expiresAt) {
      return nonces.claim(nonce, owner, Date.parse(expiresAt));
    },
    async close() {
      db.close();
    },
  };
}
