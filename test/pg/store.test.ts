import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { createDatabase } from '../../agi-server/bench/pg-cluster.js';
import { routingConfigSchema } from '../../agi-server/src/routing/model.js';
import { PG_MIGRATIONS } from '../../agi-server/src/store/pg-migrations.js';
import { PgOutboundLimiter } from '../../agi-server/src/store/pg-outbound-limiter.js';
import { openPgStore } from '../../agi-server/src/store/pg-store.js';
import type { VersionListener } from '../../agi-server/src/store/types.js';
import { captureLogger } from '../support/capture-logger.js';
import { officeConfig } from '../support/routing-fixtures.js';
import { itRefusesNewerSchema } from '../support/schema-version-contract.js';
import { describeStoreContract } from '../support/store-contract.js';

const logger = captureLogger().logger;
const openFresh = async () => openPgStore(await createDatabase(inject('pgUrl')), logger);

describeStoreContract('PostgreSQL', openFresh);

/** One statement on its own connection (the store under test may refuse to open). */
async function onDatabase<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

describe('PostgreSQL store', () => {
  itRefusesNewerSchema({
    engine: 'PostgreSQL',
    known: PG_MIGRATIONS.length,
    place: () => createDatabase(inject('pgUrl')),
    open: (url) => openPgStore(url, logger),
    schemaVersion: (url) =>
      onDatabase(url, async (client) => {
        const { rows } = await client.query('SELECT max(version) AS version FROM schema_migrations');
        return Number(rows[0]?.version);
      }),
    setSchemaVersion: (url, version) =>
      onDatabase(url, async (client) => {
        await client.query('INSERT INTO schema_migrations (version) VALUES ($1)', [version]);
      }),
  });

  it('migrates once even when several servers start at the same moment', async () => {
    const url = await createDatabase(inject('pgUrl'));
    const stores = await Promise.all([1, 2, 3].map(() => openPgStore(url, logger)));
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const { rows } = await client.query('SELECT version FROM schema_migrations ORDER BY version');
    expect(rows.map((row) => row.version)).toEqual(PG_MIGRATIONS.map((_, index) => index + 1));
    await client.end();
    for (const store of stores) await store.close();
  });

  it('announces each committed version to every other connection (LISTEN/NOTIFY)', async () => {
    const url = await createDatabase(inject('pgUrl'));
    const [writer, reader] = [await openPgStore(url, logger), await openPgStore(url, logger)];
    const seen: Parameters<VersionListener>[0][] = [];
    expect(await reader.watchVersions((event) => seen.push(event))).toBe(true);
    const config = routingConfigSchema.parse(officeConfig);
    await writer.appendVersion({ config, author: 'a', summary: 'one', basedOn: undefined });
    await writer.appendVersion({ config, author: 'a', summary: 'two', basedOn: 1 });
    // A refused change commits nothing and announces nothing.
    await writer.appendVersion({ config, author: 'a', summary: 'stale', basedOn: 1 }).catch(() => undefined);
    await expect.poll(() => seen.length, { timeout: 5_000 }).toBe(2);
    expect(seen).toEqual([{ version: 1 }, { version: 2 }]);
    await writer.close();
    await reader.close();
  });
});

describe('shared outbound limits (PostgreSQL)', () => {
  const policy = {
    id: 'default',
    allow: 'national' as const,
    countries: [],
    blockedPrefixes: [],
    callsPerMinute: 3,
    maxConcurrent: 2,
  };

  it('counts calls per minute and concurrent calls across servers; a release frees a place', async () => {
    const url = await createDatabase(inject('pgUrl'));
    const [one, two] = [await openPgStore(url, logger), await openPgStore(url, logger)];
    const lease = { leaseMs: 60_000, renewMs: 20_000 };
    const [first, second] = [
      new PgOutboundLimiter(one.pool, logger, lease),
      new PgOutboundLimiter(two.pool, logger, lease),
    ];
    const now = Date.now();
    expect(await first.admit('100', 'c1', policy, now)).toBe('ok');
    expect(await second.admit('100', 'c2', policy, now)).toBe('ok');
    expect(await first.admit('100', 'c3', policy, now)).toBe('concurrent');
    expect(await second.admit('101', 'd1', policy, now)).toBe('ok');
    // Released by the other server (the hangup report may reach any of them).
    second.release('c1');
    await expect.poll(() => first.admit('100', 'c4', policy, now), { interval: 100 }).toBe('ok');
    second.release('c2');
    first.release('c4');
    // Three started within the minute: the fourth is refused whatever is in progress.
    await expect
      .poll(() => second.admit('100', 'c5', policy, now), { interval: 100 })
      .toBe('calls-per-minute');
    // The renewal learns that c1 (admitted here) was released by the other server.
    expect(first.inProgress('100')).toBe(1);
    await first.renew();
    expect(first.inProgress('100')).toBe(0);
    await Promise.all([first.close(), second.close()]);
    await one.close();
    await two.close();
  });
});
