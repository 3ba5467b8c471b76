import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { routingConfigSchema } from '../../agi-server/src/routing/model.js';
import { SQLITE_MIGRATIONS } from '../../agi-server/src/store/sqlite-migrations.js';
import { migrateSqlite, openSqliteStore } from '../../agi-server/src/store/sqlite-store.js';
import { VersionConflictError } from '../../agi-server/src/store/types.js';
import { officeConfig } from '../support/routing-fixtures.js';

const tempDb = () => join(mkdtempSync(join(tmpdir(), 'sb-sqlite-')), 'nested', 'store.sqlite');
const config = routingConfigSchema.parse(officeConfig);

describe('SQLite store', () => {
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
    ]);
    expect(migrateSqlite(db)).toBe(SQLITE_MIGRATIONS.length);
    db.close();
  });

  it('appends versions in order and refuses a change based on a stale version', async () => {
    const store = openSqliteStore(tempDb());
    const first = await store.appendVersion({ config, author: 'ann', summary: 'first', basedOn: undefined });
    const second = await store.appendVersion({ config, author: 'bob', summary: 'second', basedOn: 1 });
    expect([first.version, second.version]).toEqual([1, 2]);
    await expect(
      store.appendVersion({ config, author: 'eve', summary: 'stale', basedOn: 1 }),
    ).rejects.toThrow(VersionConflictError);
    expect(
      (await store.history(10)).map((version) => [version.version, version.author, version.summary]),
    ).toEqual([
      [2, 'bob', 'second'],
      [1, 'ann', 'first'],
    ]);
    expect((await store.latestVersion())?.config).toEqual(config);
    await store.close();
  });

  it('writes call events into one row per linkedid with its steps, in any arrival order', async () => {
    const store = openSqliteStore(tempDb());
    await store.writeCallEvents([
      {
        type: 'end',
        linkedId: 'early-end',
        at: '2026-11-23T10:00:05.000Z',
        disposition: 'failed',
        answeredBy: undefined,
        answeredAt: undefined,
      },
      {
        type: 'start',
        linkedId: '1.1',
        at: '2026-11-23T10:00:00.000Z',
        callSid: 'CA0123456789abcdef0123456789abcdef',
        did: '+19863334949',
        caller: '+15551230001',
        routeId: 'main',
        version: 3,
        plan: 'open',
        note: undefined,
        signature: 'valid',
      },
      {
        type: 'attempt',
        linkedId: '1.1',
        at: '2026-11-23T10:00:00.000Z',
        attempt: 0,
        label: 'ring-group 100,101',
        targets: ['100', '101'],
      },
      { type: 'outcome', linkedId: '1.1', attempt: 0, outcome: 'no-answer' },
      {
        type: 'attempt',
        linkedId: '1.1',
        at: '2026-11-23T10:00:20.000Z',
        attempt: 1,
        label: 'extension 102',
        targets: ['102'],
      },
      { type: 'outcome', linkedId: '1.1', attempt: 1, outcome: 'answered' },
      {
        type: 'end',
        linkedId: '1.1',
        at: '2026-11-23T10:01:00.000Z',
        disposition: 'answered',
        answeredBy: '102',
        answeredAt: '2026-11-23T10:00:25.000Z',
      },
    ]);
    expect(await store.getCall('1.1')).toMatchObject({
      callSid: 'CA0123456789abcdef0123456789abcdef',
      routeId: 'main',
      routeVersion: 3,
      signature: 'valid',
      disposition: 'answered',
      answeredBy: '102',
      startedAt: '2026-11-23T10:00:00.000Z',
      answeredAt: '2026-11-23T10:00:25.000Z',
      endedAt: '2026-11-23T10:01:00.000Z',
      steps: [
        { attempt: 0, targets: ['100', '101'], outcome: 'no-answer' },
        { attempt: 1, targets: ['102'], outcome: 'answered' },
      ],
    });
    expect(await store.getCall('early-end')).toMatchObject({ disposition: 'failed', steps: [] });
    expect((await store.listCalls({ did: '+19863334949', limit: 10 })).map((call) => call.linkedId)).toEqual([
      '1.1',
    ]);
    expect(await store.listCalls({ disposition: 'failed', limit: 10 })).toHaveLength(1);
    expect(await store.listCalls({ since: '2026-11-23T10:00:01.000Z', limit: 10 })).toHaveLength(1);
    await store.close();
  });
});
