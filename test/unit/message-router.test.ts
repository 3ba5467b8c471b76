import { describe, expect, it } from 'vitest';
import { diffConfigs } from '../../agi-server/src/routing/diff.js';
import {
  decideInboundMessage,
  decideOutboundMessage,
  explainMessage,
  refusalText,
} from '../../agi-server/src/routing/message-router.js';
import { type RoutingConfigInput, routingConfigSchema } from '../../agi-server/src/routing/model.js';
import { buildSnapshot } from '../../agi-server/src/routing/snapshot.js';
import { officeConfig } from '../support/routing-fixtures.js';

const config: RoutingConfigInput = {
  ...officeConfig,
  extensions: [
    { number: '100', name: 'Reception', outboundCallerId: '+19863334949', mobile: '+15125550100' },
    { number: '101', name: 'Operator', outboundCallerId: '+19863334950' },
    { number: '102', name: 'Sales', endpoints: ['102', '102-mobile'], outboundPolicy: 'world' },
    { number: '103', name: 'Lobby', outboundCallerId: '+19863334949', outboundPolicy: 'internal' },
  ],
  outbound: {
    ownedNumbers: ['+19863334949', '+19863334950'],
    defaultCallerId: '+19863334949',
    policies: [
      { id: 'default', allow: 'national' },
      { id: 'internal', allow: 'internal' },
      { id: 'world', allow: 'international' },
    ],
  },
  messaging: {
    smsNumbers: ['+19863334949'],
    targets: [{ did: '+19863334950', extensions: ['102', '101'] }],
  },
};
const snapshot = buildSnapshot(routingConfigSchema.parse(config), 4);

describe('messaging section of the routing document', () => {
  it('defaults to nothing listed, every SMS number unmarked and mobile forwarding on', () => {
    expect(routingConfigSchema.parse(officeConfig).messaging).toEqual({
      smsNumbers: [],
      targets: [],
      forwardToMobile: true,
    });
  });

  it('reports every broken reference by path', () => {
    const result = routingConfigSchema.safeParse({
      ...config,
      extensions: [{ number: '100', name: 'A', mobile: '5125550100' }],
      messaging: {
        smsNumbers: ['+15550001234'],
        targets: [
          { did: '+19863334950', extensions: ['100', '555'] },
          { did: '+19863334950', extensions: ['100'] },
        ],
      },
    });
    expect(result.success).toBe(false);
    const paths = result.error?.issues.map((issue) => issue.path.join('.'));
    expect(paths).toEqual(
      expect.arrayContaining([
        'extensions.0.mobile',
        'messaging.smsNumbers.0',
        'messaging.targets.0.extensions.1',
        'messaging.targets.1.did',
      ]),
    );
  });

  it('diffs targets by DID, whatever their order', () => {
    const before = routingConfigSchema.parse(config);
    const after = routingConfigSchema.parse({
      ...config,
      messaging: {
        ...config.messaging,
        targets: [
          { did: '+19863334949', extensions: ['100'] },
          { did: '+19863334950', extensions: ['102'] },
        ],
      },
    });
    expect(diffConfigs(before, after).map((change) => change.path)).toEqual([
      'messaging.targets.+19863334950.extensions.1',
      'messaging.targets.+19863334949',
    ]);
    // The input documents are left alone.
    expect(Array.isArray(before.messaging.targets)).toBe(true);
  });
});

describe('inbound texts', () => {
  it('go to the extensions messaging.targets lists, every endpoint of each', () => {
    const verdict = decideInboundMessage(snapshot, { did: '+19863334950', from: '+15125550199' });
    expect(verdict).toMatchObject({
      kind: 'deliver',
      did: '+19863334950',
      source: { kind: 'targets' },
      recipients: [
        { extension: '102', endpoints: ['102', '102-mobile'], mobile: undefined },
        { extension: '101', endpoints: ['101'], mobile: undefined },
      ],
    });
  });

  it("default to the open plan's extensions of the route that takes the sender's call", () => {
    const verdict = decideInboundMessage(snapshot, { did: '(986) 333-4949', from: '+15125550199' });
    expect(verdict.kind).toBe('deliver');
    if (verdict.kind !== 'deliver') return;
    expect(verdict.source).toEqual({ kind: 'route', routeId: 'main' });
    expect(verdict.recipients.map((recipient) => recipient.extension)).toEqual(['100', '101', '102']);
    expect(verdict.recipients[0]?.mobile).toBe('+15125550100');
    // A VIP's route names only 101: their texts follow it.
    const vip = decideInboundMessage(snapshot, { did: '+19863334949', from: '+15550001111' });
    expect(vip.kind === 'deliver' && vip.recipients.map((recipient) => recipient.extension)).toEqual(['101']);
  });

  it('keep the mobile only when forwarding is on', () => {
    const off = buildSnapshot(
      routingConfigSchema.parse({ ...config, messaging: { ...config.messaging, forwardToMobile: false } }),
      5,
    );
    const verdict = decideInboundMessage(off, { did: '+19863334949', from: '+15125550199' });
    expect(verdict.kind === 'deliver' && verdict.recipients[0]?.mobile).toBeUndefined();
  });

  it('name an unknown DID, and a route whose open plan names nobody', () => {
    expect(decideInboundMessage(snapshot, { did: '+15125550000', from: '+1' })).toMatchObject({
      kind: 'unknown-did',
      did: '+15125550000',
    });
    expect(decideInboundMessage(snapshot, { did: 'nonsense', from: '+1' })).toMatchObject({
      kind: 'unknown-did',
      did: undefined,
    });
    // main-uk forwards UK callers: no extension to text.
    const uk = decideInboundMessage(snapshot, { did: '+19863334949', from: '+447700900123' });
    expect(uk.kind).toBe('unknown-did');
    expect(uk.because).toContain('main-uk');
  });
});

describe('outbound texts', () => {
  const send = (from: string, to: string, bodyBytes = 5) =>
    decideOutboundMessage(snapshot, { from, to, bodyBytes });

  it("go to a US number from the extension's own SMS-capable number, through its policy", () => {
    expect(send('100', '912125551234')).toMatchObject({
      kind: 'sms',
      sender: '+19863334949',
      to: '+12125551234',
      policy: { id: 'default' },
    });
  });

  it('to another extension are local, never an SMS', () => {
    expect(send('100', '101')).toMatchObject({ kind: 'local', recipient: { extension: '101' } });
  });

  it('are refused with the reason the phone is told', () => {
    const cases: [string, string, string][] = [
      ['100', '919005551234', 'blocked-prefix'],
      ['100', '9011442071838750', 'not-national'],
      ['100', '911', 'emergency'],
      ['100', '9911', 'emergency'],
      ['100', '9123', 'not-a-number'],
      ['103', '912125551234', 'internal-only'],
      // 101's number is owned but not SMS-capable; 102 has no number of its own.
      ['101', '912125551234', 'no-sms-number'],
      ['102', '9011442071838750', 'no-sms-number'],
      ['999', '912125551234', 'unknown-extension'],
    ];
    for (const [from, to, reason] of cases)
      expect([from, to, send(from, to)]).toMatchObject([from, to, { kind: 'refused', reason }]);
    expect(send('100', '912125551234', 0)).toMatchObject({ kind: 'refused', reason: 'empty' });
    expect(refusalText('blocked-prefix', '+19005551234')).toBe(
      'Not sent to +19005551234: that number is blocked by your outbound policy.',
    );
  });

  it('are explained with the version that decided', () => {
    expect(
      explainMessage(snapshot, { direction: 'outbound', extension: '100', to: '919005551234' }),
    ).toMatchObject({
      version: 4,
      kind: 'refused',
      because: 'Not sent to +19005551234: that number is blocked by your outbound policy.',
    });
    expect(explainMessage(snapshot, { direction: 'inbound', did: '+19863334950', from: '+1' })).toMatchObject(
      {
        version: 4,
        kind: 'deliver',
        because: 'messaging.targets sends texts to +19863334950 to 102, 101',
      },
    );
  });
});
