import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { routingConfigSchema } from '../../agi-server/src/routing/model.js';
import { SQLITE_MIGRATIONS } from '../../agi-server/src/store/sqlite-migrations.js';
import { migrateSqlite, openSqliteStore } from '../../agi-server/src/store/sqlite-store.js';
import { StoreUnavailableError, VersionConflictError } from '../../agi-server/src/store/types.js';
import { officeConfig } from '../support/routing-fixtures.js';
import { itRefusesNewerSchema } from '../support/schema-version-contract.js';
import { describeStoreContract } from '../support/store-contract.js';

const tempDb = () => join(mkdtempSync(join(tmpdir(), 'sb-sqlite-')), 'nested', 'store.sqlite');

/** Another process holds the file's write lock for `ms` (as another server's write would). */
async function lockFromAnotherProcess(path: string, ms: number) {
  const child = spawn(
    process.execPath,
    [
      '-e',
      `const db = new (require('better-sqlite3'))(process.argv[1]); db.exec('BEGIN IMMEDIATE');
       console.log('locked'); setTimeout(() => { db.exec('COMMIT'); db.close(); }, Number(process.argv[2]));`,
      path,
      String(ms),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const exited = once(child, 'exit');
  await once(child.stdout, 'data');
  // Wrapped: awaiting a bare promise here would wait for the exit.
  return { exited };
}

describeStoreContract('SQLite', async () => openSqliteStore(tempDb()));

describe('SQLite store', () => {
  itRefusesNewerSchema({
    engine: 'SQLite',
    known: SQLITE_MIGRATIONS.length,
    place: async () => tempDb(),
    open: async (path) => openSqliteStore(path),
    schemaVersion: async (path) => {
      const db = new Database(path);
      try {
        return db.pragma('user_version', { simple: true }) as number;
      } finally {
        db.close();
      }
    },
    setSchemaVersion: async (path, version) => {
      const db = new Database(path);
      db.pragma(`user_version = ${version}`);
      db.close();
    },
  });

  it('migrates an empty file to the latest schema, in WAL mode, and is idempotent', async () => {
    const path = tempDb();
    const store = openSqliteStore(path);
    await store.close();
    const db = new Database(path);
    expect(db.pragma('user_version', { simple: true })).toBe(SQLITE_MIGRATIONS.length);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all();
    expect(tables).toEqual([
      { name: 'admin_tokens' },
      { name: 'call_steps' },
      { name: 'calls' },
      { name: 'config_versions' },
      { name: 'message_outbox' },
      { name: 'messages' },
    ]);
    expect(migrateSqlite(db)).toBe(SQLITE_MIGRATIONS.length);
    db.close();
  });

  it('has no cross-process change feed (servers sharing a file poll)', async () => {
    const store = openSqliteStore(tempDb());
    expect(await store.watchVersions(() => undefined)).toBe(false);
    await store.close();
  });

  it('shares one file between two connections: a write waits while another process holds the lock; a stale one conflicts', async () => {
    const path = tempDb();
    const [a, b] = [openSqliteStore(path), openSqliteStore(path)];
    const config = routingConfigSchema.parse(officeConfig);
    await a.appendVersion({ config, author: 'a', summary: 'one', basedOn: undefined });
    const { exited } = await lockFromAnotherProcess(path, 150);
    const started = Date.now();
    await b.appendVersion({ config, author: 'b', summary: 'two', basedOn: 1 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(80);
    expect(await a.latestVersionNumber()).toBe(2);
    await expect(a.appendVersion({ config, author: 'a', summary: 'stale', basedOn: 1 })).rejects.toThrow(
      VersionConflictError,
    );
    await exited;
    await a.close();
    await b.close();
  });

  it('answers StoreUnavailableError when the file stays locked past the busy timeout', async () => {
    const path = tempDb();
    const store = openSqliteStore(path);
    const { exited } = await lockFromAnotherProcess(path, 2_000);
    const config = routingConfigSchema.parse(officeConfig);
    await expect(
      store.appendVersion({ config, author: 'a', summary: 'one', basedOn: undefined }),
    ).rejects.toThrow(StoreUnavailableError);
    await exited;
    await store.close();
  }, 15_000);
});
