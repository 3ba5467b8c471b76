import { describe, expect, it } from 'vitest';
import { diffConfigs, keyedIssuePath } from '../../agi-server/src/routing/diff.js';
import { routingConfigSchema } from '../../agi-server/src/routing/model.js';
import { formatInZone, instantFromWallTime } from '../../agi-server/src/routing/schedule.js';
import { officeConfig } from '../support/routing-fixtures.js';

const office = routingConfigSchema.parse(officeConfig);

describe('field-level diff', () => {
  it('names a changed field by the ids of its route, whatever the order of routes', () => {
    const reordered = {
      ...office,
      routes: [...office.routes]
        .reverse()
        .map((route) =>
          route.id === 'nights' ? { ...route, plans: { ...route.plans, closed: undefined } } : route,
        ),
    };
    expect(diffConfigs(office, routingConfigSchema.parse(reordered))).toEqual([
      {
        path: 'routes.nights.plans.closed',
        kind: 'removed',
        before: [{ type: 'reject', reason: 'congestion' }],
      },
    ]);
  });

  it('reports added, removed and changed items by id', () => {
    const changed = routingConfigSchema.parse({
      ...officeConfig,
      extensions: [
        ...(officeConfig.extensions ?? []).map((extension) =>
          extension.number === '101' ? { ...extension, name: 'Front desk' } : extension,
        ),
        { number: '109', name: 'New' },
      ],
      routes: officeConfig.routes?.filter((route) => route.id !== 'main-vip' && route.id !== 'main-uk'),
    });
    expect(diffConfigs(office, changed).map((change) => `${change.kind} ${change.path}`)).toEqual([
      'changed extensions.101.name',
      'added extensions.109',
      'removed routes.main-vip',
      'removed routes.main-uk',
    ]);
    expect(diffConfigs(office, office)).toEqual([]);
  });

  it('turns positional issue paths into keyed ones', () => {
    expect(keyedIssuePath(officeConfig, ['routes', 4, 'plans', 'open', 0])).toBe(
      'routes.nights.plans.open.0',
    );
    expect(keyedIssuePath(office, ['outbound', 'policies', 0, 'trunks', 1])).toBe(
      'outbound.policies.default.trunks.1',
    );
    expect(keyedIssuePath(officeConfig, ['extensions', 2, 'name'])).toBe('extensions.102.name');
    expect(keyedIssuePath(officeConfig, ['routes', 99, 'did'])).toBe('routes.99.did');
    expect(keyedIssuePath(officeConfig, ['settings', 'defaultCountry'])).toBe('settings.defaultCountry');
  });
});

describe('times on a schedule clock', () => {
  it('reads a wall time in its zone, across DST', () => {
    const at = (wall: string, zone: string) => instantFromWallTime(wall, zone)?.toISOString();
    expect(at('2026-12-25T10:00', 'America/Chicago')).toBe('2026-12-25T16:00:00.000Z');
    expect(at('2026-07-01T10:00', 'America/Chicago')).toBe('2026-07-01T15:00:00.000Z');
    expect(at('2026-06-01T09:15:30', 'Asia/Kolkata')).toBe('2026-06-01T03:45:30.000Z');
    // 01:30 happens twice on 2026-11-01 in Chicago; either instant reads 01:30 on the clock.
    const repeated = instantFromWallTime('2026-11-01T01:30', 'America/Chicago') as Date;
    expect(formatInZone(repeated, 'America/Chicago')).toMatch(/^Sun 2026-11-01 01:30:00 GMT-0[56]:00$/);
    // 02:30 does not exist on 2026-03-08 in Chicago: an instant next to it.
    const skipped = instantFromWallTime('2026-03-08T02:30', 'America/Chicago') as Date;
    expect(Math.abs(skipped.getTime() - Date.parse('2026-03-08T08:30:00Z'))).toBeLessThanOrEqual(3_600_000);
    expect(instantFromWallTime('2026-12-25 10:00', 'America/Chicago')).toBeUndefined();
  });

  it('formats an instant with its weekday and UTC offset', () => {
    expect(formatInZone(new Date('2026-12-25T16:00:00Z'), 'America/Chicago')).toBe(
      'Fri 2026-12-25 10:00:00 GMT-06:00',
    );
    expect(formatInZone(new Date('2026-12-25T16:00:00Z'), 'UTC')).toBe('Fri 2026-12-25 16:00:00 GMT+00:00');
  });
});
