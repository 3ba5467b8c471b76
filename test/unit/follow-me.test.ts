import { describe, expect, it } from 'vitest';
import { renderAsteriskConfig } from '../../agi-server/src/asterisk/render.js';
import { completeSecrets } from '../../agi-server/src/asterisk/secrets.js';
import { asteriskSettingsSchema } from '../../agi-server/src/asterisk/settings.js';
import { decisionVariables } from '../../agi-server/src/handlers/decision-variables.js';
import { explainCall } from '../../agi-server/src/routing/explain.js';
import { type RoutingConfigInput, routingConfigSchema } from '../../agi-server/src/routing/model.js';
import { continueCall, routeCall } from '../../agi-server/src/routing/router.js';
import { buildSnapshot } from '../../agi-server/src/routing/snapshot.js';
import { officeConfig, ownedNumbersAndTrunks } from '../support/routing-fixtures.js';

const MONDAY_10_CHICAGO = new Date('2026-11-23T16:00:00Z');
const DID = '+19863334960';
const followMe = {
  deskSeconds: 4,
  // A US mobile, a London number (the national policy refuses it) and another US number.
  numbers: ['+12125551234', '+442071838750', '+13125550100'],
  ringSeconds: 15,
};
const config: RoutingConfigInput = {
  ...officeConfig,
  extensions: [
    { number: '100', name: 'Reception', mailbox: '100', outboundCallerId: '+19863334950', followMe },
    { number: '101', name: 'Operator', outboundPolicy: 'internal', followMe: { numbers: ['+12125551234'] } },
    { number: '102', name: 'Sales' },
  ],
  outbound: {
    ...ownedNumbersAndTrunks,
    policies: [
      { id: 'default', allow: 'national' },
      { id: 'internal', allow: 'internal' },
    ],
  },
  routes: [
    ...(officeConfig.routes ?? []),
    {
      id: 'follow',
      did: DID,
      plans: {
        open: [
          { type: 'extension', extension: '100', timeoutSeconds: 30 },
          { type: 'voicemail', mailbox: '100' },
        ],
      },
    },
    { id: 'internal-only', did: '+19863334961', plans: { open: [{ type: 'extension', extension: '101' }] } },
  ],
};
const snapshot = buildSnapshot(routingConfigSchema.parse(config), 9);
const facts = { did: DID, caller: '+15557654321', callerName: undefined };
const issues = (input: RoutingConfigInput) =>
  routingConfigSchema
    .safeParse(input)
    .error?.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);

describe('follow-me decisions', () => {
  it('rings the desk phone for deskSeconds first (not the step timeout)', () => {
    const first = routeCall(snapshot, facts, MONDAY_10_CHICAGO);
    expect(first).toMatchObject({
      action: 'dial',
      dial: 'PJSIP/100',
      timeoutSeconds: 4,
      position: { routeId: 'follow', attempt: 0 },
      label: 'follow-me 100: desk phone for 4s',
    });
    expect(Object.fromEntries(decisionVariables(first))).toMatchObject({
      SB_TRUNK_CALLERID: '',
      SB_SCREEN_PROMPT: '',
    });
  });

  it('then the numbers the policy lets out, together, screened, with the policy caller ID on the trunk leg only', () => {
    const position = { routeId: 'follow', planKey: 'open' as const, attempt: 0 };
    const external = continueCall(snapshot, position, 'no-answer', facts);
    expect(external).toMatchObject({
      action: 'dial',
      dial: 'PJSIP/+12125551234@twilio-east&PJSIP/+13125550100@twilio-east',
      timeoutSeconds: 15,
      targets: ['+12125551234', '+13125550100'],
      trunkCallerId: '+19863334950',
      screenPrompt: 'followme/options',
    });
    expect(external.label).toContain('not allowed: +442071838750 (not-national)');
    expect(Object.fromEntries(decisionVariables(external))).toMatchObject({
      SB_TRUNK_CALLERID: '+19863334950',
      SB_SCREEN_PROMPT: 'followme/options',
      // The caller's own caller ID is not replaced: the phones and voicemail still see the caller.
      SB_CALLERID_NUM: '',
    });
  });

  it('a leg declined at screening (BUSY) or unanswered goes on to the rest of the plan: voicemail', () => {
    for (const outcome of ['busy', 'no-answer'] as const) {
      const after = continueCall(
        snapshot,
        { routeId: 'follow', planKey: 'open', attempt: 1 },
        outcome,
        facts,
      );
      expect(after).toMatchObject({ action: 'voicemail', mailbox: '100@default', position: { attempt: 2 } });
    }
    const answered = continueCall(
      snapshot,
      { routeId: 'follow', planKey: 'open', attempt: 1 },
      'answered',
      facts,
    );
    expect(answered).toMatchObject({ action: 'hangup', reason: 'answered' });
  });

  it('its own voicemail box comes before the rest of the plan', () => {
    const withBox = buildSnapshot(
      routingConfigSchema.parse({
        ...config,
        extensions: config.extensions?.map((one) =>
          one.number === '100' ? { ...one, followMe: { ...followMe, voicemail: '102' } } : one,
        ),
      }),
      10,
    );
    expect(
      continueCall(withBox, { routeId: 'follow', planKey: 'open', attempt: 1 }, 'busy', facts),
    ).toMatchObject({
      action: 'voicemail',
      mailbox: '102@default',
      label: 'follow-me 100: voicemail 102',
    });
  });

  it('an extension whose policy lets nothing out rings its desk phone, then what follows', () => {
    const internal = { did: '+19863334961', caller: '+15557654321', callerName: undefined };
    expect(routeCall(snapshot, internal, MONDAY_10_CHICAGO)).toMatchObject({
      dial: 'PJSIP/101',
      timeoutSeconds: 15,
    });
    expect(
      continueCall(
        snapshot,
        { routeId: 'internal-only', planKey: 'open', attempt: 0 },
        'no-answer',
        internal,
      ),
    ).toMatchObject({ action: 'hangup', reason: 'plan-end' });
  });

  it('off (enabled: false): a plain extension step', () => {
    const off = buildSnapshot(
      routingConfigSchema.parse({
        ...config,
        extensions: config.extensions?.map((one) =>
          one.number === '100' ? { ...one, followMe: { ...followMe, enabled: false } } : one,
        ),
      }),
      11,
    );
    expect(routeCall(off, facts, MONDAY_10_CHICAGO)).toMatchObject({ dial: 'PJSIP/100', timeoutSeconds: 30 });
  });

  it('explain lists the parts and counts desk + numbers + screening in the ring time', () => {
    const explained = explainCall(snapshot, facts, MONDAY_10_CHICAGO);
    expect(explained.plan.map((step) => step.label)).toEqual([
      'follow-me 100: desk phone for 4s',
      expect.stringMatching(
        /^follow-me 100: \+12125551234, \+13125550100 for 15s; screened \(followme\/options, only 1 connects\); caller ID \+19863334950; not allowed: \+442071838750 \(not-national\)$/,
      ),
      'voicemail 100',
    ]);
    expect(explained.ring).toMatchObject({ seconds: 4 + 15 + 20, until: 'voicemail' });
  });
});

describe('follow-me validation (paths)', () => {
  const withFollowMe = (value: unknown): RoutingConfigInput => ({
    ...config,
    extensions: [
      { number: '100', name: 'Reception', followMe: value as never },
      { number: '101', name: 'Operator' },
      { number: '102', name: 'Sales' },
    ],
  });

  it('bad numbers, zero-length rings, an unknown voicemail box, a number listed twice, our own number', () => {
    expect(
      issues(withFollowMe({ numbers: ['5551234', '+12125551234'], deskSeconds: 0, ringSeconds: 0 })),
    ).toEqual([
      'extensions.0.followMe.deskSeconds: a ring of at least 1 s',
      'extensions.0.followMe.numbers.0: must be E.164, such as +19863334949',
      'extensions.0.followMe.ringSeconds: a ring of at least 1 s',
    ]);
    expect(issues(withFollowMe({ numbers: [] }))).toEqual([
      'extensions.0.followMe.numbers: at least one number to follow',
    ]);
    expect(
      issues(withFollowMe({ numbers: ['+12125551234', '+12125551234', '+19863334950'], voicemail: '999' })),
    ).toEqual([
      'extensions.0.followMe.numbers.1: listed twice',
      "extensions.0.followMe.numbers.2: +19863334950 is one of Switchboard's own numbers: the call would loop",
      'extensions.0.followMe.voicemail: unknown extension 999',
    ]);
  });

  it('a follow-me longer than the Twilio edge waits is refused on the plan that rings it', () => {
    const long = issues({
      ...withFollowMe({ numbers: ['+12125551234'], deskSeconds: 60, ringSeconds: 60 }),
      routes: [{ id: 'follow', did: DID, plans: { open: [{ type: 'extension', extension: '100' }] } }],
    });
    expect(long?.[0]).toMatch(/^routes\.0\.plans\.open: rings up to 140s before it ends/);
  });
});

describe('the rendered dialplan and features for follow-me and recording on demand', () => {
  const settings = asteriskSettingsSchema.parse({
    extensions: [{ number: '100', name: 'Reception' }],
    fallback: { dial: 'PJSIP/100', mailbox: '100' },
    features: { recordOnDemand: '*7' },
  });
  const files = renderAsteriskConfig(settings, completeSecrets(settings, { extensions: {} }).secrets, {});

  it('screens with U(sb-screen^prompt), presents the policy caller ID with f(), grants the code with b()', () => {
    const dialplan = files.get('extensions.conf') ?? '';
    expect(dialplan).toContain('f(${SB_TRUNK_CALLERID})');
    expect(dialplan).toContain('U(sb-screen^${SB_SCREEN_PROMPT})');
    expect(dialplan).toContain('b(sb-record-grant^s^1)');
    expect(dialplan).toMatch(
      /\[sb-screen\][\s\S]*Read\(SB_SCREEN_DIGIT,\$\{ARG1\},1,,2,5\)[\s\S]*GOSUB_RESULT=BUSY/,
    );
    expect(dialplan).toMatch(
      /\[sb-record-toggle\][\s\S]*MixMonitor\(\$\{FILTER\(0-9A-Za-z\._-,\$\{CHANNEL\(linkedid\)\}\)\}\.wav,ab\)/,
    );
  });

  it('features.conf maps the settings code to the toggle', () => {
    expect(files.get('features.conf')).toContain('sbrecord => *7,self,Gosub(sb-record-toggle,s,1)');
    expect(
      asteriskSettingsSchema.safeParse({ ...settings, features: { recordOnDemand: '1; rm' } }).success,
    ).toBe(false);
  });
});
