import { toE164 } from '@switchboard/contract';
import { describe, expect, it } from 'vitest';
import type { PlanPosition } from '../../agi-server/src/routing/decision.js';
import { explainCall } from '../../agi-server/src/routing/explain.js';
import { routingConfigSchema } from '../../agi-server/src/routing/model.js';
import { attemptsOf, continueCall, routeCall } from '../../agi-server/src/routing/router.js';
import { buildSnapshot } from '../../agi-server/src/routing/snapshot.js';
import { officeConfig, officeSnapshot } from '../support/routing-fixtures.js';

const snapshot = officeSnapshot();
const MONDAY_10_CHICAGO = new Date('2026-11-23T16:00:00Z');
const MONDAY_20_CHICAGO = new Date('2026-11-24T02:00:00Z');
const CHRISTMAS_NOON_CHICAGO = new Date('2026-12-25T18:00:00Z');
const call = (caller?: string, did = '+19863334949', callerName?: string) => ({ did, caller, callerName });

describe('number normalisation', () => {
  it.each(['+19863334949', '19863334949', '9863334949', '(986) 333-4949', '+1 986 333 4949'])(
    'reads %j as +19863334949',
    (raw) => {
      expect(toE164(raw, 'US')).toBe('+19863334949');
    },
  );

  it('refuses what is not a number', () => {
    expect(toE164('s', 'US')).toBeUndefined();
    expect(toE164('12', 'US')).toBeUndefined();
    expect(toE164('+1986333494912345', 'US')).toBeUndefined();
  });

  it('matches a DID written any of those ways', () => {
    for (const did of ['+19863334949', '19863334949', '9863334949']) {
      expect(routeCall(snapshot, call('+15551230000', did), MONDAY_10_CHICAGO).position?.routeId).toBe(
        'main',
      );
    }
    // Stored from '9863334950' in the config: normalised on input.
    expect(snapshot.routesByDid.has('+19863334950')).toBe(true);
  });
});

describe('route matching precedence', () => {
  it('takes an exact caller match over prefixes and the default', () => {
    expect(routeCall(snapshot, call('+15550001111'), MONDAY_10_CHICAGO).position?.routeId).toBe('main-vip');
    expect(routeCall(snapshot, call('15550001111'), MONDAY_10_CHICAGO).position?.routeId).toBe('main-vip');
  });

  it('takes the longest matching prefix', () => {
    expect(routeCall(snapshot, call('+442079460000'), MONDAY_10_CHICAGO).position?.routeId).toBe(
      'main-uk-london',
    );
    expect(routeCall(snapshot, call('+441619460000'), MONDAY_10_CHICAGO).position?.routeId).toBe('main-uk');
  });

  it('falls to the route without a caller match, also for anonymous callers', () => {
    expect(routeCall(snapshot, call('+15557654321'), MONDAY_10_CHICAGO).position?.routeId).toBe('main');
    expect(routeCall(snapshot, call(undefined), MONDAY_10_CHICAGO).position?.routeId).toBe('main');
  });

  it('rejects an unknown DID with cause 1 (SIP 404), or follows settings.unknownDid', () => {
    expect(routeCall(snapshot, call('+15557654321', '+15550000000'), MONDAY_10_CHICAGO)).toMatchObject({
      action: 'hangup',
      reason: 'unknown-did',
      cause: 1,
      position: undefined,
    });
    const withFallback = buildSnapshot(
      routingConfigSchema.parse({
        ...officeConfig,
        settings: { unknownDid: [{ type: 'extension', extension: '101' }] },
      }),
      1,
    );
    expect(routeCall(withFallback, call(undefined, '+15550000000'), MONDAY_10_CHICAGO)).toMatchObject({
      action: 'dial',
      dial: 'PJSIP/101',
      position: { routeId: '_unknown', planKey: 'open', attempt: 0 },
    });
  });
});

describe('plans and steps', () => {
  it('rings the ring group first in hours, with the caller-ID prefix', () => {
    expect(
      routeCall(snapshot, call('+15557654321', '+19863334949', 'Ann Lee'), MONDAY_10_CHICAGO),
    ).toMatchObject({
      action: 'dial',
      dial: 'PJSIP/100&PJSIP/101',
      timeoutSeconds: 20,
      callerIdName: 'Main: Ann Lee',
      targets: ['100', '101'],
      version: 7,
      position: { routeId: 'main', planKey: 'open', attempt: 0 },
    });
  });

  it('keeps letters of any script in the caller-ID name and drops other symbols', () => {
    expect(
      routeCall(snapshot, call('+15557654321', '+19863334949', "Zoë Ō'Brien 😀 <x>"), MONDAY_10_CHICAGO),
    ).toMatchObject({ action: 'dial', callerIdName: "Main: Zoë Ō'Brien  x" });
    // Plain ASCII passes unchanged (the fast path), symbols outside the kept set do not.
    expect(
      routeCall(snapshot, call('+15557654321', '+19863334949', 'Ann-Lee #2'), MONDAY_10_CHICAGO),
    ).toMatchObject({
      callerIdName: 'Main: Ann-Lee #2',
    });
    expect(
      routeCall(snapshot, call('+15557654321', '+19863334949', 'Ann_Lee!'), MONDAY_10_CHICAGO),
    ).toMatchObject({
      callerIdName: 'Main: AnnLee',
    });
  });

  it("matches a caller route on the caller's E.164 form from the facts when given", () => {
    const vip = routeCall(snapshot, { ...call('5550001111'), callerE164: '+15550001111' }, MONDAY_10_CHICAGO);
    expect(vip.position?.routeId).toBe('main-vip');
    // null: the edge found no number in the caller, so no caller route can match.
    const none = routeCall(snapshot, { ...call('+15550001111'), callerE164: null }, MONDAY_10_CHICAGO);
    expect(none.position?.routeId).toBe('main');
  });

  it('does not prefix a name twice (the channel keeps it after the first Dial)', () => {
    const decision = continueCall(snapshot, { routeId: 'main', planKey: 'open', attempt: 0 }, 'no-answer', {
      did: undefined,
      caller: '+15557654321',
      callerName: 'Main: Ann Lee',
    });
    expect(decision).toMatchObject({ action: 'dial', callerIdName: 'Main: Ann Lee' });
  });

  it('hunts one member after another, every endpoint of an extension at once', () => {
    const open = (attempt: number): PlanPosition => ({ routeId: 'main', planKey: 'open', attempt });
    const facts = call('+15557654321');
    expect(continueCall(snapshot, open(0), 'no-answer', facts)).toMatchObject({
      dial: 'PJSIP/102&PJSIP/102-mobile',
      timeoutSeconds: 10,
      position: open(1),
    });
    expect(continueCall(snapshot, open(1), 'busy', facts)).toMatchObject({
      dial: 'PJSIP/101',
      position: open(2),
    });
    expect(continueCall(snapshot, open(2), 'unavailable', facts)).toMatchObject({
      action: 'voicemail',
      mailbox: '100@default',
      position: open(3),
    });
    expect(attemptsOf(snapshot.routesById.get('main')?.plans.open ?? [])).toHaveLength(4);
  });

  it('ends the call on an outcome the step does not advance on, and after the last step', () => {
    expect(
      continueCall(snapshot, { routeId: 'main', planKey: 'open', attempt: 0 }, 'failed', call()),
    ).toMatchObject({
      action: 'hangup',
      reason: 'not-advanced',
    });
    // The VIP plan's only step rings 101; with no answer there is nothing left (480 to Twilio).
    expect(
      continueCall(snapshot, { routeId: 'main-vip', planKey: 'open', attempt: 0 }, 'no-answer', call()),
    ).toMatchObject({
      action: 'hangup',
      reason: 'plan-end',
      cause: 19,
    });
    expect(
      continueCall(snapshot, { routeId: 'main', planKey: 'open', attempt: 0 }, 'answered', call()),
    ).toMatchObject({
      action: 'hangup',
      reason: 'answered',
    });
  });

  it('uses the closed plan outside hours and the holiday plan on a closure day', () => {
    expect(routeCall(snapshot, call(), MONDAY_20_CHICAGO)).toMatchObject({
      action: 'voicemail',
      position: { planKey: 'closed' },
    });
    expect(routeCall(snapshot, call(), CHRISTMAS_NOON_CHICAGO)).toMatchObject({
      action: 'hangup',
      reason: 'rejected',
      reject: 'announcement',
      announcement: 'custom/closed-holiday',
      position: { planKey: 'holiday' },
    });
  });

  it('forwards through the configured trunk and rejects busy with cause 17', () => {
    expect(routeCall(snapshot, call('+441619460000'), MONDAY_10_CHICAGO)).toMatchObject({
      action: 'dial',
      dial: 'PJSIP/+442071838750@twilio-trunk',
      targets: ['+442071838750'],
    });
    expect(routeCall(snapshot, call('+442079460000'), MONDAY_10_CHICAGO)).toMatchObject({
      reject: 'busy',
      cause: 17,
    });
  });

  it('routes a night schedule across midnight (congestion when closed)', () => {
    expect(
      routeCall(snapshot, call(undefined, '+19863334950'), new Date('2026-11-28T05:00:00Z')),
    ).toMatchObject({
      action: 'dial',
      dial: 'PJSIP/100',
    }); // Sat 00:00 New York, after Friday 22:00
    expect(
      routeCall(snapshot, call(undefined, '+19863334950'), new Date('2026-11-28T12:00:00Z')),
    ).toMatchObject({
      reject: 'congestion',
      cause: 34,
    });
  });

  it('ends the call when `next` names a route that no longer exists', () => {
    expect(
      continueCall(snapshot, { routeId: 'gone', planKey: 'open', attempt: 0 }, 'no-answer', call()),
    ).toMatchObject({
      action: 'hangup',
      reason: 'plan-end',
    });
  });
});

describe('explain', () => {
  it('shows the matched route, the plan in force and every step in order', () => {
    const explanation = explainCall(snapshot, call('+15557654321', '9863334949'), MONDAY_10_CHICAGO);
    expect(explanation).toMatchObject({
      version: 7,
      did: '+19863334949',
      route: { id: 'main' },
      planKey: 'open',
    });
    expect(explanation.plan.map((step) => step.label)).toEqual([
      'ring-group 100,101 for 20s',
      'hunt 102 for 10s',
      'hunt 101 for 10s',
      'voicemail 100',
    ]);
  });

  it('explains an unknown DID as a rejection with no plan', () => {
    const explanation = explainCall(snapshot, call(undefined, '+15550000000'), MONDAY_10_CHICAGO);
    expect(explanation).toMatchObject({
      route: undefined,
      planKey: undefined,
      plan: [],
      first: { reason: 'unknown-did' },
    });
  });
});

describe('route key from a verified edge', () => {
  it('picks the named route, and falls back to matching for an unknown key', () => {
    expect(
      routeCall(snapshot, { ...call('+15557654321'), routeKey: 'main-vip' }, MONDAY_10_CHICAGO).position
        ?.routeId,
    ).toBe('main-vip');
    expect(
      routeCall(snapshot, { ...call('+15557654321'), routeKey: 'nope' }, MONDAY_10_CHICAGO).position?.routeId,
    ).toBe('main');
  });

  it('is honoured by explain the way routeCall honours it', () => {
    const facts = { ...call('+15557654321', '9863334949'), routeKey: 'main-vip' };
    const explanation = explainCall(snapshot, facts, MONDAY_10_CHICAGO);
    expect(explanation).toMatchObject({ route: { id: 'main-vip' }, planKey: 'open' });
    expect(explanation.plan.map((step) => step.label)).toEqual(['extension 101 for 20s']);
    expect(explanation.first).toEqual(routeCall(snapshot, facts, MONDAY_10_CHICAGO));
  });
});
