import { afterEach, describe, expect, it } from 'vitest';
import { routingConfigSchema } from '../../agi-server/src/routing/model.js';
import {
  type CallEvent,
  type SwitchboardStore,
  VersionConflictError,
} from '../../agi-server/src/store/types.js';
import { describeMessageStoreContract } from './message-store-contract.js';
import { officeConfig } from './routing-fixtures.js';

const config = routingConfigSchema.parse(officeConfig);

const callEvents: CallEvent[] = [
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
];

/**
 * The behaviour every SwitchboardStore must have, whatever the engine: run against SQLite
 * (test/unit/store.test.ts) and PostgreSQL (test/pg/store.test.ts). `open` returns a new,
 * empty store each time.
 */
export function describeStoreContract(engine: string, open: () => Promise<SwitchboardStore>): void {
  describe(`store contract: ${engine}`, () => {
    const opened: SwitchboardStore[] = [];
    const fresh = async () => {
      const store = await open();
      opened.push(store);
      return store;
    };
    afterEach(async () => {
      for (const store of opened.splice(0)) await store.close();
    });

    describeMessageStoreContract(fresh);

    it('starts empty', async () => {
      const store = await fresh();
      expect(await store.latestVersion()).toBeUndefined();
      expect(await store.latestVersionNumber()).toBeUndefined();
      expect(await store.getVersion(1)).toBeUndefined();
      expect(await store.history(10)).toEqual([]);
      expect(await store.listCalls({ limit: 10 })).toEqual([]);
      expect(await store.getCall('none')).toBeUndefined();
      expect(await store.hasAdminTokens()).toBe(false);
    });

    it('appends versions in order and refuses a change based on a stale version', async () => {
      const store = await fresh();
      const first = await store.appendVersion({
        config,
        author: 'ann',
        summary: 'first',
        basedOn: undefined,
      });
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
      expect(await store.latestVersionNumber()).toBe(2);
    });

    it('keeps every version whole, with rollback provenance and its creation time', async () => {
      const store = await fresh();
      const changed = routingConfigSchema.parse({ ...officeConfig, routes: [] });
      await store.appendVersion({ config, author: 'ann', summary: 'one', basedOn: undefined });
      await store.appendVersion({ config: changed, author: 'ann', summary: 'two', basedOn: 1 });
      const restored = await store.appendVersion({
        config,
        author: 'bob',
        summary: 'rollback to version 1',
        basedOn: 2,
        restoredFrom: 1,
      });
      expect(restored).toMatchObject({ version: 3, restoredFrom: 1 });
      expect((await store.getVersion(2))?.config).toEqual(changed);
      const third = await store.getVersion(3);
      expect(third).toMatchObject({ version: 3, author: 'bob', restoredFrom: 1, config });
      expect(third?.createdAt).toBe(restored.createdAt);
      expect((await store.history(1)).map((version) => version.version)).toEqual([3]);
    });

    it('records which token made a change beside the display name, in every read', async () => {
      const store = await fresh();
      await store.appendVersion({ config, author: 'switchboard', summary: 'seed', basedOn: undefined });
      const stored = await store.appendVersion({
        config,
        author: 'ann',
        authorToken: 'ops#0123456789ab',
        summary: 'by token',
        basedOn: 1,
      });
      expect(stored).toMatchObject({ author: 'ann', authorToken: 'ops#0123456789ab' });
      expect(await store.getVersion(2)).toMatchObject({ author: 'ann', authorToken: 'ops#0123456789ab' });
      expect((await store.latestVersion())?.authorToken).toBe('ops#0123456789ab');
      expect((await store.history(10)).map((version) => [version.author, version.authorToken])).toEqual([
        ['ann', 'ops#0123456789ab'],
        ['switchboard', undefined],
      ]);
    });

    it('lets exactly one of two changes based on the same version through', async () => {
      const store = await fresh();
      await store.appendVersion({ config, author: 'ann', summary: 'base', basedOn: undefined });
      const results = await Promise.allSettled(
        ['a', 'b', 'c'].map((author) => store.appendVersion({ config, author, summary: author, basedOn: 1 })),
      );
      expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
      for (const result of results)
        if (result.status === 'rejected') expect(result.reason).toBeInstanceOf(VersionConflictError);
      expect(await store.latestVersionNumber()).toBe(2);
    });

    it('writes call events into one row per linkedid with its steps, in any arrival order', async () => {
      const store = await fresh();
      await store.writeCallEvents(callEvents);
      expect(await store.getCall('1.1')).toEqual({
        linkedId: '1.1',
        callSid: 'CA0123456789abcdef0123456789abcdef',
        did: '+19863334949',
        caller: '+15551230001',
        routeId: 'main',
        routeVersion: 3,
        plan: 'open',
        disposition: 'answered',
        answeredBy: '102',
        startedAt: '2026-11-23T10:00:00.000Z',
        answeredAt: '2026-11-23T10:00:25.000Z',
        endedAt: '2026-11-23T10:01:00.000Z',
        note: undefined,
        signature: 'valid',
        steps: [
          {
            attempt: 0,
            at: '2026-11-23T10:00:00.000Z',
            label: 'ring-group 100,101',
            targets: ['100', '101'],
            outcome: 'no-answer',
          },
          {
            attempt: 1,
            at: '2026-11-23T10:00:20.000Z',
            label: 'extension 102',
            targets: ['102'],
            outcome: 'answered',
          },
        ],
      });
      expect(await store.getCall('early-end')).toMatchObject({
        disposition: 'failed',
        startedAt: '2026-11-23T10:00:05.000Z',
        steps: [],
      });
      // A start that arrives after its end keeps the earlier start time and the final disposition.
      await store.writeCallEvents([
        { ...(callEvents[1] as CallEvent & { type: 'start' }), linkedId: 'early-end' },
      ]);
      expect(await store.getCall('early-end')).toMatchObject({
        disposition: 'failed',
        startedAt: '2026-11-23T10:00:00.000Z',
        routeId: 'main',
      });
    });

    it('lists and filters calls, newest first, within the limit', async () => {
      const store = await fresh();
      await store.writeCallEvents(callEvents);
      await store.writeCallEvents(
        [1, 2, 3].map((index) => ({
          ...(callEvents[1] as CallEvent & { type: 'start' }),
          linkedId: `later.${index}`,
          did: '+19863334960',
          at: `2026-11-23T11:0${index}:00.000Z`,
        })),
      );
      expect((await store.listCalls({ limit: 2 })).map((call) => call.linkedId)).toEqual([
        'later.3',
        'later.2',
      ]);
      expect(
        (await store.listCalls({ did: '+19863334949', limit: 10 })).map((call) => call.linkedId),
      ).toEqual(['1.1']);
      expect(
        (await store.listCalls({ disposition: 'failed', limit: 10 })).map((call) => call.linkedId),
      ).toEqual(['early-end']);
      expect(await store.listCalls({ disposition: 'answered', limit: 10 })).toHaveLength(1);
      expect(
        (
          await store.listCalls({
            since: '2026-11-23T10:00:01.000Z',
            until: '2026-11-23T11:02:30.000Z',
            limit: 10,
          })
        ).map((call) => call.linkedId),
      ).toEqual(['later.2', 'later.1', 'early-end']);
      expect((await store.listCalls({ caller: '+15551230001', limit: 10 }))[0]?.steps).toHaveLength(0);
    });

    it('keeps admin tokens by hash only; registering one twice is harmless', async () => {
      const store = await fresh();
      await store.addAdminToken('ci', 'a'.repeat(64));
      await store.addAdminToken('ci', 'a'.repeat(64));
      expect(await store.hasAdminTokens()).toBe(true);
      expect(await store.findAdminToken('a'.repeat(64))).toEqual({ name: 'ci' });
      expect(await store.findAdminToken('b'.repeat(64))).toBeUndefined();
    });

    it('reports itself healthy', async () => {
      const store = await fresh();
      expect(await store.health()).toMatchObject({ ok: true, problem: undefined });
    });

    it('lets one call claim a nonce until it expires; the same call may claim it again', async () => {
      const store = await fresh();
      const later = new Date(Date.now() + 60_000).toISOString();
      expect(await store.claimNonce('n-1', 'call-a', later)).toBe(true);
      expect(await store.claimNonce('n-1', 'call-a', later)).toBe(true);
      expect(await store.claimNonce('n-1', 'call-b', later)).toBe(false);
      const past = new Date(Date.now() - 1_000).toISOString();
      expect(await store.claimNonce('n-2', 'call-a', past)).toBe(true);
      expect(await store.claimNonce('n-2', 'call-b', later)).toBe(true);
    });
  });
}
