import { afterEach, describe, expect, it } from 'vitest';
import type { Switchboard } from '../../agi-server/src/app.js';
import { OutboundLimiter } from '../../agi-server/src/limits/outbound-limiter.js';
import { type RoutingConfigInput, routingConfigSchema } from '../../agi-server/src/routing/model.js';
import { classifyOutbound, normaliseDialled } from '../../agi-server/src/routing/outbound.js';
import { continueOutbound, decideOutbound } from '../../agi-server/src/routing/outbound-decision.js';
import { buildSnapshot } from '../../agi-server/src/routing/snapshot.js';
import { FakeAsterisk } from '../support/fake-asterisk.js';
import { officeConfig, ownedNumbersAndTrunks } from '../support/routing-fixtures.js';
import { startSwitchboard } from '../support/switchboard.js';

const config: RoutingConfigInput = {
  ...officeConfig,
  extensions: [
    { number: '100', name: 'Reception', mailbox: '100' },
    { number: '101', name: 'Operator', outboundPolicy: 'internal' },
    {
      number: '102',
      name: 'Sales',
      endpoints: ['102', '102-mobile'],
      outboundCallerId: '+19863334950',
      outboundPolicy: 'sales',
    },
  ],
  outbound: {
    ...ownedNumbersAndTrunks,
    policies: [
      { id: 'default', allow: 'national', callsPerMinute: 3, maxConcurrent: 1 },
      { id: 'internal', allow: 'internal' },
      { id: 'sales', allow: 'countries', countries: ['GB'], trunks: ['west', 'east'] },
    ],
  },
};
const snapshot = buildSnapshot(routingConfigSchema.parse(config), 3);

describe('dialled digits to E.164 (default country US, outside prefix 9)', () => {
  it.each([
    ['95551234567', '+15551234567'],
    ['915551234567', '+15551234567'],
    ['+15551234567', '+15551234567'],
    ['0015551234567', '+15551234567'],
    ['011442071838750', '+442071838750'],
    ['9011442071838750', '+442071838750'],
    ['15551234567', '+15551234567'],
    ['5551234567', '+15551234567'],
    ['9165551234', '+19165551234'],
  ])('%s -> %s', (dialled, expected) => {
    expect(normaliseDialled(dialled, '9', 'US')).toBe(expected);
  });

  it('refuses what is not a number', () => {
    expect(normaliseDialled('12', '9', 'US')).toBeUndefined();
    expect(normaliseDialled('*97', '9', 'US')).toBeUndefined();
  });
});

describe('outbound classification', () => {
  it('keeps extension numbers internal: they never go out', () => {
    expect(classifyOutbound(snapshot, '100', '102')).toEqual({ kind: 'internal', extension: '102' });
  });

  it('sends a national number out through the trunks in order with the default owned caller ID', () => {
    expect(classifyOutbound(snapshot, '100', '92125551234')).toMatchObject({
      kind: 'external',
      number: '+12125551234',
      emergency: false,
      callerId: '+19863334949',
      trunks: [{ id: 'east' }, { id: 'west' }],
    });
  });

  it("presents the extension's own DID and uses its policy's trunk order", () => {
    expect(classifyOutbound(snapshot, '102', '011442071838750')).toMatchObject({
      number: '+442071838750',
      callerId: '+19863334950',
      trunks: [{ id: 'west' }, { id: 'east' }],
    });
  });

  it.each([
    ['100', '919005550100', 'blocked-prefix'],
    ['100', '18765551234', 'blocked-prefix'],
    ['102', '18095551234', 'blocked-prefix'],
    ['100', '011442071838750', 'not-national'],
    ['102', '011330142685300', 'country-not-allowed'],
    ['101', '92125551234', 'internal-only'],
    ['100', '*97', 'not-a-number'],
    ['100', '95551234567', 'not-a-number'],
    ['999', '92125551234', 'unknown-extension'],
  ])('denies ext %s dialling %s (%s)', (extension, dialled, reason) => {
    expect(classifyOutbound(snapshot, extension, dialled)).toMatchObject({ kind: 'denied', reason });
  });

  it('always lets emergency numbers out, even from an internal-only extension', () => {
    expect(classifyOutbound(snapshot, '101', '911')).toMatchObject({
      kind: 'external',
      number: '911',
      emergency: true,
      callerId: '+19863334949',
    });
    expect(classifyOutbound(snapshot, '101', '9911')).toMatchObject({
      kind: 'external',
      number: '911',
      emergency: true,
    });
  });

  it('denies when no owned caller ID can be presented', () => {
    const noCallerId = buildSnapshot(
      routingConfigSchema.parse({ ...config, outbound: { ...config.outbound, defaultCallerId: undefined } }),
      1,
    );
    expect(classifyOutbound(noCallerId, '100', '92125551234')).toMatchObject({
      kind: 'denied',
      reason: 'no-caller-id',
    });
  });

  it('refuses a configuration whose caller IDs are not owned or whose references dangle', () => {
    const bad = routingConfigSchema.safeParse({
      ...config,
      extensions: [{ number: '100', name: 'A', outboundCallerId: '+15550000000', outboundPolicy: 'nope' }],
      outbound: {
        ...config.outbound,
        defaultCallerId: '+15550000001',
        policies: [{ id: 'default', trunks: ['north'] }],
      },
    });
    expect(bad.error?.issues.map((issue) => issue.path.join('.'))).toEqual(
      expect.arrayContaining([
        'outbound.defaultCallerId',
        'outbound.policies.0.trunks.0',
        'extensions.0.outboundCallerId',
        'extensions.0.outboundPolicy',
      ]),
    );
  });
});

describe('outbound decisions and trunk failover', () => {
  it('dials the first trunk with the number in the Request-URI user part and the caller ID', () => {
    expect(decideOutbound(snapshot, '100', '92125551234', 0)).toMatchObject({
      action: 'dial',
      dial: 'PJSIP/+12125551234@twilio-east',
      callerIdNumber: '+19863334949',
      position: { routeId: '_outbound', attempt: 0 },
    });
  });

  it('moves to the next trunk on a trunk failure only', () => {
    expect(continueOutbound(snapshot, '100', '92125551234', 0, 'unavailable')).toMatchObject({
      dial: 'PJSIP/+12125551234@twilio-west',
    });
    expect(continueOutbound(snapshot, '100', '92125551234', 0, 'failed')).toMatchObject({
      dial: 'PJSIP/+12125551234@twilio-west',
    });
    expect(continueOutbound(snapshot, '100', '92125551234', 0, 'busy')).toMatchObject({
      action: 'hangup',
      reason: 'not-advanced',
    });
    expect(continueOutbound(snapshot, '100', '92125551234', 0, 'no-answer')).toMatchObject({
      action: 'hangup',
      reason: 'not-advanced',
    });
    expect(continueOutbound(snapshot, '100', '92125551234', 1, 'failed')).toMatchObject({
      action: 'hangup',
      reason: 'plan-end',
      cause: 34,
    });
  });

  it('rings an internal extension on every endpoint, and denies with congestion', () => {
    expect(decideOutbound(snapshot, '100', '102', 0)).toMatchObject({
      dial: 'PJSIP/102&PJSIP/102-mobile',
      callerIdNumber: undefined,
    });
    expect(decideOutbound(snapshot, '100', '919005550100', 0)).toMatchObject({
      action: 'hangup',
      reason: 'denied',
      detail: 'blocked-prefix',
      reject: 'congestion',
      cause: 34,
    });
  });
});

describe('outbound limits', () => {
  const policy = {
    id: 'p',
    allow: 'national' as const,
    countries: [],
    blockedPrefixes: [],
    callsPerMinute: 3,
    maxConcurrent: 2,
  };

  it('limits calls in progress, and frees a place on release', async () => {
    const limiter = new OutboundLimiter();
    expect(await limiter.admit('100', 'a', policy, 0)).toBe('ok');
    expect(await limiter.admit('100', 'b', policy, 1)).toBe('ok');
    expect(await limiter.admit('100', 'c', policy, 2)).toBe('concurrent');
    expect(await limiter.admit('101', 'd', policy, 3)).toBe('ok');
    limiter.release('a');
    expect(await limiter.admit('100', 'e', policy, 4)).toBe('ok');
  });

  it('limits calls per minute on a sliding window', async () => {
    const limiter = new OutboundLimiter();
    for (const [index, at] of [0, 10_000, 20_000].entries()) {
      expect(await limiter.admit('100', `x${index}`, policy, at)).toBe('ok');
      limiter.release(`x${index}`);
    }
    expect(await limiter.admit('100', 'x3', policy, 30_000)).toBe('calls-per-minute');
    expect(await limiter.admit('100', 'x4', policy, 60_001)).toBe('ok');
  });

  it('forgets a call whose hangup report never came, after the longest call', async () => {
    const limiter = new OutboundLimiter(1_000);
    await limiter.admit('100', 'lost', { ...policy, maxConcurrent: 1 }, 0);
    expect(await limiter.admit('100', 'next', { ...policy, maxConcurrent: 1 }, 500)).toBe('concurrent');
    expect(await limiter.admit('100', 'next', { ...policy, maxConcurrent: 1 }, 1_500)).toBe('ok');
  });
});

describe('outbound AGI script', () => {
  let running: Switchboard | undefined;
  afterEach(async () => {
    await running?.close(500);
  });

  const mset = (command: string | undefined) =>
    Object.fromEntries(
      (/^EXEC MSet "(.*)"$/.exec(command ?? '')?.[1] ?? '')
        .split(',')
        .map((pair) => pair.split('=', 2) as [string, string]),
    );

  it('identifies the caller by endpoint, sets dial string and caller ID, and enforces the limit', async () => {
    const started = await startSwitchboard({ seed: config, withoutApi: true });
    running = started.switchboard;
    const call = async (linkedId: string, dialled: string) =>
      mset(
        (
          await (
            await FakeAsterisk.start(
              started.agiPort,
              `outbound?endpoint=100&dialled=${dialled}&linkedid=${linkedId}`,
            )
          ).serve()
        )[0],
      );

    expect(await call('o.1', '92125551234')).toMatchObject({
      SB_ACTION: 'dial',
      SB_DIAL: 'PJSIP/+12125551234@twilio-east',
      SB_CALLERID_NUM: '+19863334949',
      SB_ROUTE: '_outbound',
      SB_STEP: '0',
      SB_EXTENSION: '100',
      SB_NUMBER: '92125551234',
    });
    // maxConcurrent is 1 for the default policy: a second call while the first lasts is denied.
    expect(await call('o.2', '92125551235')).toMatchObject({
      SB_ACTION: 'hangup',
      SB_REJECT: 'congestion',
      SB_REASON: 'denied',
    });
    const hangup = await FakeAsterisk.start(
      started.agiPort,
      'hangup?linkedid=o.1&action=hangup&reason=answered&dialstatus=ANSWER&step=0',
    );
    await hangup.serve();
    expect(await call('o.3', '92125551236')).toMatchObject({ SB_ACTION: 'dial' });

    const next = await FakeAsterisk.start(
      started.agiPort,
      'next?linkedid=o.3&route=_outbound&plan=open&step=0&dialstatus=CHANUNAVAIL&ext=100&number=92125551236',
    );
    expect(mset((await next.serve())[0])).toMatchObject({
      SB_DIAL: 'PJSIP/+12125551236@twilio-west',
      SB_STEP: '1',
      SB_CALLERID_NUM: '+19863334949',
    });

    await started.switchboard.callLog.flush();
    expect(await started.switchboard.store.getCall('o.2')).toMatchObject({
      disposition: 'in-progress',
      note: 'denied: concurrent',
      did: '+12125551235',
    });
  });
});
