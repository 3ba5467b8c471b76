import { describe, expect, it } from 'vitest';
import { blockedCaller, isWithheldCaller } from '../../agi-server/src/routing/blocklist-model.js';
import { diffConfigs } from '../../agi-server/src/routing/diff.js';
import { explainCall } from '../../agi-server/src/routing/explain.js';
import { type RoutingConfigInput, routingConfigSchema } from '../../agi-server/src/routing/model.js';
import { routeCall } from '../../agi-server/src/routing/router.js';
import { buildSnapshot } from '../../agi-server/src/routing/snapshot.js';
import { officeConfig } from '../support/routing-fixtures.js';

const MONDAY_10_CHICAGO = new Date('2026-11-23T16:00:00Z');
const call = (caller?: string, did = '+19863334949') => ({ did, caller, callerName: undefined });

function withBlocklist(blocklist: RoutingConfigInput['blocklist']) {
  return buildSnapshot(routingConfigSchema.parse({ ...officeConfig, blocklist }), 9);
}

const snapshot = withBlocklist({
  entries: [
    { caller: '+15551230001', note: 'spam caller' },
    { caller: '+1900*' },
    { caller: '+1555999*', action: { type: 'announcement', announcement: 'custom/blocked' } },
    { caller: '+15559990000', action: { type: 'voicemail', mailbox: '100' } },
    { caller: 'anonymous', routes: ['main'] },
  ],
});

describe('blocklist model', () => {
  it('is empty by default and needs no section in a document', () => {
    expect(routingConfigSchema.parse(officeConfig).blocklist).toEqual({
      action: { type: 'busy' },
      entries: [],
    });
  });

  it('reports every problem with its path: duplicates, unknown routes and mailboxes, bad callers', () => {
    const result = routingConfigSchema.safeParse({
      ...officeConfig,
      blocklist: {
        action: { type: 'voicemail', mailbox: '999' },
        entries: [
          { caller: '+15551230001' },
          { caller: '+15551230001' },
          { caller: 'anonymous', routes: ['nope'] },
          { caller: '+1900', note: 'too short for an exact number' },
          { caller: '1900*' },
          { caller: '+1555*', action: { type: 'announcement', announcement: '../../etc/passwd' } },
        ],
      },
    });
    expect(result.success).toBe(false);
    const issues = result.error?.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`) ?? [];
    expect(issues).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^blocklist\.entries\.3\.caller: an exact number is E\.164/),
        expect.stringMatching(/^blocklist\.entries\.4\.caller: an E\.164 number, a prefix/),
        expect.stringMatching(/^blocklist\.entries\.5\.action\.announcement: a sound file name/),
      ]),
    );
    // Cross-checks run once the fields are valid.
    const crossChecked = routingConfigSchema.safeParse({
      ...officeConfig,
      blocklist: {
        action: { type: 'voicemail', mailbox: '999' },
        entries: [
          { caller: '+15551230001' },
          { caller: '+15551230001' },
          { caller: 'anonymous', routes: ['nope'] },
        ],
      },
    });
    expect(crossChecked.error?.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`)).toEqual([
      'blocklist.entries.1.caller: this caller is already on the blocklist',
      'blocklist.action.mailbox: unknown extension 999',
      'blocklist.entries.2.routes.0: unknown route nope',
    ]);
  });
});

describe('blocklist matching', () => {
  const blocklist = snapshot.config.blocklist;
  it('blocks an exact number in any written form, and only that number', () => {
    expect(blockedCaller(blocklist, 'main', '+15551230001', 'US')?.entry.caller).toBe('+15551230001');
    expect(blockedCaller(blocklist, 'main', '(555) 123-0001', 'US')?.entry.caller).toBe('+15551230001');
    expect(blockedCaller(blocklist, 'main', '+15551230002', 'US')).toBeUndefined();
  });

  it('blocks by prefix, the longest prefix and an exact number first', () => {
    expect(blockedCaller(blocklist, 'main', '+19005550100', 'US')?.entry.caller).toBe('+1900*');
    expect(blockedCaller(blocklist, 'main', '+15559991234', 'US')?.entry.caller).toBe('+1555999*');
    expect(blockedCaller(blocklist, 'main', '+15559990000', 'US')?.entry.caller).toBe('+15559990000');
  });

  it('knows a withheld caller by its missing number, its name or its presentation', () => {
    for (const caller of [undefined, '', 'anonymous', 'Anonymous', 'restricted', 'Private']) {
      expect(isWithheldCaller(caller), String(caller)).toBe(true);
    }
    expect(isWithheldCaller('+15551230001', 32)).toBe(true);
    expect(isWithheldCaller('+15551230001', 0)).toBe(false);
    expect(isWithheldCaller('+15551230001')).toBe(false);
  });

  it("uses the caller's E.164 form from the call's facts when given (parsed once per call)", () => {
    // The caller text says one thing, the facts' parsed form another: the parsed form decides,
    // so the blocklist does not parse the caller a second time.
    expect(
      blockedCaller(blocklist, 'main', '(555) 000-0000', 'US', undefined, '+15551230001')?.entry.caller,
    ).toBe('+15551230001');
    expect(blockedCaller(blocklist, 'main', '+15551230001', 'US', undefined, null)).toBeUndefined();
    expect(blockedCaller(blocklist, 'main', '(555) 123-0001', 'US', undefined, undefined)?.entry.caller).toBe(
      '+15551230001',
    );
    expect(
      routeCall(snapshot, { ...call('(555) 000-0000'), callerE164: '+19005550100' }, MONDAY_10_CHICAGO),
    ).toMatchObject({ action: 'hangup', reason: 'blocked' });
  });

  it('applies a per-route entry only on its routes', () => {
    expect(blockedCaller(blocklist, 'main', 'anonymous', 'US')?.entry.caller).toBe('anonymous');
    expect(blockedCaller(blocklist, 'nights', 'anonymous', 'US')).toBeUndefined();
  });
});

describe('blocked calls in the router and explain', () => {
  it('rejects busy (cause 17, reason blocked) before any phone rings', () => {
    expect(routeCall(snapshot, call('+19005550100'), MONDAY_10_CHICAGO)).toMatchObject({
      action: 'hangup',
      reason: 'blocked',
      reject: 'busy',
      cause: 17,
      blocked: 'blocked: +1900* (prefix)',
      position: { routeId: 'main' },
    });
  });

  it('plays the entry announcement, or takes a voicemail, as the entry says', () => {
    expect(routeCall(snapshot, call('+15559991234'), MONDAY_10_CHICAGO)).toMatchObject({
      action: 'hangup',
      reason: 'blocked',
      reject: 'announcement',
      announcement: 'custom/blocked',
      cause: 16,
    });
    expect(routeCall(snapshot, call('+15559990000'), MONDAY_10_CHICAGO)).toMatchObject({
      action: 'voicemail',
      mailbox: '100@default',
      blocked: 'blocked: +15559990000 (exact)',
    });
  });

  it('lets other callers through to the plan', () => {
    expect(routeCall(snapshot, call('+15557654321'), MONDAY_10_CHICAGO)).toMatchObject({ action: 'dial' });
    // The anonymous entry is for route main only: on nights the plan runs (its closed plan rejects).
    const nights = routeCall(snapshot, call(undefined, '+19863334950'), MONDAY_10_CHICAGO);
    expect(nights).toMatchObject({ reason: 'rejected', reject: 'congestion' });
    expect(nights.blocked).toBeUndefined();
  });

  it('explain says the caller is blocked and lists only the blocklist action', () => {
    const explanation = explainCall(snapshot, call('anonymous'), MONDAY_10_CHICAGO);
    expect(explanation.because).toBe(
      'blocked: anonymous (withheld caller): busy, before any phone rings (route main takes +19863334949; open plan: weekly hours mon,tue,wed,thu,fri 09:00-17:00 in schedule office)',
    );
    expect(explanation.plan).toHaveLength(1);
  });

  it('diffs entries by caller, whatever their order', () => {
    const before = snapshot.config;
    const after = routingConfigSchema.parse({
      ...officeConfig,
      blocklist: { entries: [...before.blocklist.entries.slice(1).reverse(), { caller: '+447700900123' }] },
    });
    expect(diffConfigs(before, after).map((change) => `${change.kind} ${change.path}`)).toEqual([
      'removed blocklist.entries.+15551230001',
      'added blocklist.entries.+447700900123',
    ]);
    // The input documents are not changed by keying.
    expect(Array.isArray(before.blocklist.entries)).toBe(true);
  });
});
