import { describe, expect, it } from 'vitest';
import { explainCall } from '../../agi-server/src/routing/explain.js';
import { type RoutingConfigInput, routingConfigSchema } from '../../agi-server/src/routing/model.js';
import { continueCall, routeCall } from '../../agi-server/src/routing/router.js';
import { buildSnapshot } from '../../agi-server/src/routing/snapshot.js';
import { officeConfig } from '../support/routing-fixtures.js';

const MONDAY_10_CHICAGO = new Date('2026-11-23T16:00:00Z');
const MONDAY_20_CHICAGO = new Date('2026-11-24T02:00:00Z');
const facts = { did: '+19863334960', caller: '+15557654321', callerName: undefined };

type Plan = NonNullable<RoutingConfigInput['routes']>[number]['plans']['open'];
const menu = (extra: Record<string, unknown> = {}) => ({
  type: 'menu' as const,
  prompt: 'custom/main-menu',
  options: [
    { digit: '1' as const, goTo: { step: 2 } },
    { digit: '2' as const, goTo: { route: 'main' } },
  ],
  onTimeout: { step: 3 },
  onInvalid: { step: 4 },
  ...extra,
});

function withIvr(open: Plan) {
  return {
    ...officeConfig,
    routes: [...(officeConfig.routes ?? []), { id: 'ivr', did: '+19863334960', plans: { open } }],
  };
}
const ivrPlan: Plan = [
  menu({ directDial: true }),
  { type: 'ring-group', extensions: ['100', '101'], advanceOn: [] },
  { type: 'voicemail', mailbox: '100' },
  { type: 'reject', reason: 'busy' },
];
const snapshot = buildSnapshot(routingConfigSchema.parse(withIvr(ivrPlan)), 3);
const issues = (config: unknown) =>
  routingConfigSchema
    .safeParse(config)
    .error?.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`) ?? [];

describe('menu model', () => {
  it('reports duplicate digits, steps outside the plan and unknown routes at their paths', () => {
    expect(
      issues(
        withIvr([
          menu({
            options: [
              { digit: '1', goTo: { step: 9 } },
              { digit: '1', goTo: { route: 'nowhere' } },
            ],
          }),
          { type: 'voicemail', mailbox: '100' },
          { type: 'voicemail', mailbox: '101' },
          { type: 'reject', reason: 'busy' },
        ]),
      ),
    ).toEqual([
      'routes.5.plans.open.0.options.1.digit: digit 1 is already an option',
      'routes.5.plans.open.0.options.0.goTo: no step 9: the plan has 4',
      'routes.5.plans.open.0.options.1.goTo: unknown route nowhere',
    ]);
  });

  it('refuses a menu a silent caller would go round forever, directly or through a ringing step', () => {
    expect(
      issues(
        withIvr([
          menu({ onTimeout: { step: 1 } }),
          { type: 'voicemail', mailbox: '100' },
          { type: 'voicemail', mailbox: '100' },
          { type: 'voicemail', mailbox: '100' },
        ]),
      ),
    ).toEqual([
      'routes.5.plans.open.0.onTimeout: a caller who presses nothing goes round forever: ivr/open/step 1 -> ivr/open/step 1',
    ]);
    // Timeout -> step 2 rings and advances on no-answer into step 3, a menu whose timeout is step 2.
    const viaRinging = issues(
      withIvr([
        menu({ onTimeout: { step: 2 } }),
        { type: 'extension', extension: '100' },
        menu({ onTimeout: { step: 2 } }),
        { type: 'voicemail', mailbox: '100' },
      ]),
    );
    expect(viaRinging).toContain(
      'routes.5.plans.open.2.onTimeout: a caller who presses nothing goes round forever: ivr/open/step 3 -> ivr/open/step 2 -> ivr/open/step 3',
    );
    // The same ringing step that does not advance on no-answer ends the way: no loop.
    expect(
      issues(
        withIvr([
          menu({ onTimeout: { step: 2 } }),
          { type: 'extension', extension: '100', advanceOn: ['busy'] },
          menu({ onTimeout: { step: 2 } }),
          { type: 'voicemail', mailbox: '100' },
        ]),
      ),
    ).toEqual([]);
  });

  it('a menu answers: the edge ring time stops there', () => {
    expect(explainCall(snapshot, facts, MONDAY_10_CHICAGO).ring).toMatchObject({ seconds: 0, until: 'menu' });
  });
});

describe('menu routing', () => {
  const at = { routeId: 'ivr', planKey: 'open' as const, attempt: 0 };
  const pressed = (digits: string | undefined, instant = MONDAY_10_CHICAGO) =>
    continueCall(snapshot, at, 'failed', facts, { fromMenu: true, digits, instant });

  it('starts with the menu: prompt, digits to read, tries and timeout', () => {
    expect(routeCall(snapshot, facts, MONDAY_10_CHICAGO)).toMatchObject({
      action: 'menu',
      prompt: 'custom/main-menu',
      maxDigits: 3, // direct dial: the longest extension number
      tries: 3,
      timeoutSeconds: 5,
      position: at,
    });
  });

  it('explain lists the options and destinations', () => {
    expect(explainCall(snapshot, facts, MONDAY_10_CHICAGO).plan[0]?.label).toBe(
      'menu custom/main-menu: 1 -> step 2, 2 -> route main, an extension number -> that extension; no digit after 3 x 5s -> step 3; invalid -> step 4',
    );
  });

  it('sends a digit to its step, or to another route on that route schedule', () => {
    expect(pressed('1')).toMatchObject({ action: 'dial', targets: ['100', '101'], position: { attempt: 1 } });
    expect(pressed('2')).toMatchObject({ action: 'dial', position: { routeId: 'main', planKey: 'open' } });
    expect(pressed('2', MONDAY_20_CHICAGO)).toMatchObject({
      action: 'voicemail',
      position: { routeId: 'main', planKey: 'closed' },
    });
  });

  it('another route: its attempts are numbered from 1000 (never the first route places on the row) and labelled with the route', () => {
    const jumped = pressed('2');
    expect(jumped).toMatchObject({
      action: 'dial',
      targets: ['100', '101'],
      position: { routeId: 'main', attempt: 1000 },
      label: 'route main: ring-group 100,101 for 20s',
    });
    if (!jumped.position) throw new Error('no position');
    // The next attempt of that route keeps its numbering and its route in the label.
    expect(continueCall(snapshot, jumped.position, 'no-answer', facts)).toMatchObject({
      position: { routeId: 'main', attempt: 1001 },
      label: 'route main: hunt 102 for 10s',
    });
    // A menu in that route sending the call on again: the next thousand.
    const second = buildSnapshot(
      routingConfigSchema.parse({
        ...withIvr(ivrPlan),
        routes: [
          ...(officeConfig.routes ?? []),
          { id: 'ivr', did: '+19863334960', plans: { open: ivrPlan } },
          {
            id: 'ivr2',
            did: '+19863334961',
            plans: {
              open: [
                menu({
                  options: [
                    { digit: '3', goTo: { step: 2 } },
                    { digit: '2', goTo: { route: 'ivr' } },
                  ],
                }),
                ...ivrPlan.slice(1),
              ],
            },
          },
        ],
      }),
      4,
    );
    const press = (routeId: string, attempt: number, digits: string) =>
      continueCall(second, { routeId, planKey: 'open', attempt }, 'failed', facts, {
        fromMenu: true,
        digits,
        instant: MONDAY_10_CHICAGO,
      });
    expect(press('ivr2', 0, '2')).toMatchObject({
      action: 'menu',
      position: { routeId: 'ivr', attempt: 1000 },
    });
    expect(press('ivr', 1000, '1')).toMatchObject({
      position: { routeId: 'ivr', attempt: 1001 },
      label: 'route ivr: ring-group 100,101 for 20s',
    });
    expect(press('ivr', 1000, '2')).toMatchObject({ position: { routeId: 'main', attempt: 2000 } });
  });

  it('no digit: the timeout destination; an unknown digit: the invalid destination', () => {
    expect(pressed(undefined)).toMatchObject({ action: 'voicemail', position: { attempt: 2 } });
    expect(pressed('9')).toMatchObject({ action: 'hangup', reject: 'busy', position: { attempt: 3 } });
  });

  it('direct dial rings the extension, then plays the menu again when nobody answers', () => {
    const dial = pressed('102');
    expect(dial).toMatchObject({ action: 'dial', targets: ['102'], timeoutSeconds: 20, position: at });
    expect(continueCall(snapshot, at, 'no-answer', facts)).toMatchObject({ action: 'menu', position: at });
    expect(continueCall(snapshot, at, 'answered', facts)).toMatchObject({
      action: 'hangup',
      reason: 'answered',
    });
    // Without direct dial an extension number is just invalid input.
    const plain = buildSnapshot(routingConfigSchema.parse(withIvr([menu(), ...ivrPlan.slice(1)])), 4);
    expect(
      continueCall(plain, at, 'failed', facts, { fromMenu: true, digits: '102', instant: MONDAY_10_CHICAGO }),
    ).toMatchObject({
      action: 'hangup',
      position: { attempt: 3 },
    });
  });
});

describe('menus in settings.unknownDid', () => {
  it('are checked too, at their own path', () => {
    expect(
      issues({
        ...officeConfig,
        settings: {
          ...officeConfig.settings,
          unknownDid: [
            menu({ onTimeout: { step: 1 }, options: [{ digit: '1', goTo: { step: 5 } }] }),
            { type: 'voicemail', mailbox: '100' },
          ],
        },
      }),
    ).toEqual([
      'settings.unknownDid.0.options.0.goTo: no step 5: the plan has 2',
      'settings.unknownDid.0.onInvalid: no step 4: the plan has 2',
      'settings.unknownDid.0.onTimeout: a caller who presses nothing goes round forever: _unknown/open/step 1 -> _unknown/open/step 1',
    ]);
  });
});
