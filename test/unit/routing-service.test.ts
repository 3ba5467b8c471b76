import { describe, expect, it } from 'vitest';
import {
  ConfigValidationError,
  EmptyStoreError,
  NotFoundError,
  RoutingService,
} from '../../agi-server/src/config-service/routing-service.js';
import { openSqliteStore } from '../../agi-server/src/store/sqlite-store.js';
import { captureLogger } from '../support/capture-logger.js';
import { officeConfig } from '../support/routing-fixtures.js';

async function service() {
  const store = openSqliteStore(':memory:');
  return {
    store,
    routing: await RoutingService.open(store, captureLogger().logger, {
      config: officeConfig,
      source: 'office',
    }),
  };
}

describe('versioned routing configuration', () => {
  it('seeds an empty store as version 1 and reuses what is stored on the next open', async () => {
    const { store, routing } = await service();
    expect(routing.snapshot.version).toBe(1);
    // A seed offered to a store that holds routing is ignored: never replaced.
    const again = await RoutingService.open(store, captureLogger().logger, {
      config: { routes: [] },
      source: 'another',
    });
    expect(again.snapshot.version).toBe(1);
    expect(again.config.routes).toHaveLength(5);
    expect((await RoutingService.open(store, captureLogger().logger)).config.routes).toHaveLength(5);
  });

  it('refuses an empty store that nobody asked to seed', async () => {
    const store = openSqliteStore(':memory:');
    await expect(RoutingService.open(store, captureLogger().logger)).rejects.toBeInstanceOf(EmptyStoreError);
    expect(await store.latestVersion()).toBeUndefined();
  });

  it('swaps the snapshot with each change; the old snapshot stays intact for calls in flight', async () => {
    const { routing } = await service();
    const before = routing.snapshot;
    await routing.change(
      (config) => ({ ...config, routes: config.routes.filter((route) => route.id !== 'main-vip') }),
      {
        author: 'ann',
        summary: 'drop VIP line',
      },
    );
    expect(routing.snapshot.version).toBe(2);
    expect(routing.snapshot.routesById.has('main-vip')).toBe(false);
    expect(before.routesById.has('main-vip')).toBe(true);
  });

  it('refuses an invalid change whole: nothing stored, snapshot unchanged', async () => {
    const { routing } = await service();
    const error = await routing
      .change((config) => ({ ...config, extensions: [] }), { author: 'ann', summary: 'oops' })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigValidationError);
    expect((error as ConfigValidationError).issues.map((issue) => issue.path)).toContain(
      'routes.main.plans.open.0',
    );
    expect(routing.snapshot.version).toBe(1);
    expect(await routing.history(10)).toHaveLength(1);
  });

  it('keeps history, diffs two versions and rolls back one step as a new version', async () => {
    const { routing } = await service();
    await routing.change(
      (config) => ({ ...config, extensions: [...config.extensions, { number: '103', name: 'Support' }] }),
      { author: 'ann', summary: 'add 103' },
    );
    await routing.change(
      (config) => ({
        ...config,
        routes: config.routes.map((route) =>
          route.id === 'main' ? { ...route, callerIdNamePrefix: 'Hi: ' } : route,
        ),
      }),
      { author: 'bob', summary: 'prefix' },
    );
    expect(await routing.diff(1, 3)).toEqual([
      { path: 'extensions.103', kind: 'added', after: { number: '103', name: 'Support' } },
      { path: 'routes.main.callerIdNamePrefix', kind: 'changed', before: 'Main: ', after: 'Hi: ' },
    ]);
    const rolledBack = await routing.rollback({ author: 'carol' });
    expect(rolledBack).toMatchObject({
      version: 4,
      author: 'carol',
      restoredFrom: 2,
      summary: 'rollback to version 2',
    });
    expect(routing.snapshot.routesById.get('main')?.callerIdNamePrefix).toBe('Main: ');
    expect(routing.snapshot.extensions.has('103')).toBe(true);
    expect((await routing.history(10)).map((version) => version.version)).toEqual([4, 3, 2, 1]);
  });

  it('has nothing to roll back to at version 1', async () => {
    const { routing } = await service();
    await expect(routing.rollback({ author: 'ann' })).rejects.toThrow(NotFoundError);
  });

  it('picks up a version another server stored (shared store)', async () => {
    const { store, routing } = await service();
    const other = await RoutingService.open(store, captureLogger().logger);
    await other.change((config) => ({ ...config, routes: [] }), { author: 'other', summary: 'clear' });
    expect(routing.snapshot.version).toBe(1);
    expect(await routing.refresh()).toBe(true);
    expect(routing.snapshot.version).toBe(2);
    expect(await routing.refresh()).toBe(false);
  });
});
