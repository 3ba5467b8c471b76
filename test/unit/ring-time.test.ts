import { describe, expect, it } from 'vitest';
import {
  type Plan,
  type RoutingConfigInput,
  routingConfigSchema,
} from '../../agi-server/src/routing/model.js';
import { planRingTime } from '../../agi-server/src/routing/ring-time.js';
import { startSwitchboard } from '../support/switchboard.js';

const huntThenVoicemail: Plan = [
  { type: 'hunt', extensions: ['100', '101'], timeoutSeconds: 25, advanceOn: ['no-answer'] },
  { type: 'voicemail', mailbox: '100' },
];

function document(edgeDialTimeoutSeconds: number | undefined): RoutingConfigInput {
  return {
    settings: edgeDialTimeoutSeconds ? { edgeDialTimeoutSeconds } : {},
    extensions: [
      { number: '100', name: 'Reception' },
      { number: '101', name: 'Operator' },
    ],
    routes: [{ id: 'main', did: '+19863334949', plans: { open: [...huntThenVoicemail] } }],
  };
}

describe('plan ring time (what the Twilio edge must wait)', () => {
  it('adds every ringing step up to the answering step; a hunt rings each member in turn', () => {
    expect(planRingTime([...huntThenVoicemail])).toEqual({ seconds: 50, until: 'voicemail' });
    expect(
      planRingTime([
        { type: 'ring-group', extensions: ['100', '101'], timeoutSeconds: 20 },
        { type: 'forward', timeoutSeconds: 30 },
        { type: 'reject' },
        { type: 'extension', timeoutSeconds: 99 },
      ]),
    ).toEqual({ seconds: 50, until: 'reject' });
    expect(planRingTime([{ type: 'extension', timeoutSeconds: 15 }])).toEqual({
      seconds: 15,
      until: 'plan-end',
    });
    expect(planRingTime([{ type: 'voicemail' }])).toEqual({ seconds: 0, until: 'voicemail' });
  });

  it('refuses a plan the edge would cut, saying so; accepts it when the edge waits long enough', () => {
    const refused = routingConfigSchema.safeParse(document(30));
    expect(refused.success).toBe(false);
    expect(refused.error?.issues).toEqual([
      expect.objectContaining({
        path: ['routes', 0, 'plans', 'open'],
        message: expect.stringMatching(
          /^rings up to 50s before voicemail answers, but the Twilio edge stops waiting after 30s .*Twilio would cancel the call first; .*at least 55$/,
        ),
      }),
    ]);
    expect(routingConfigSchema.safeParse(document(55)).success).toBe(true);
    expect(routingConfigSchema.safeParse(document(54)).success).toBe(false);
    // The default (120 s, the Function's default DIAL_TIMEOUT too) fits it.
    expect(routingConfigSchema.safeParse(document(undefined)).data?.settings.edgeDialTimeoutSeconds).toBe(
      120,
    );
  });

  it('names Twilio’s own limit when no edge setting could fit the plan', () => {
    const long = document(600);
    const result = routingConfigSchema.safeParse({
      ...long,
      settings: {
        edgeDialTimeoutSeconds: 600,
        unknownDid: [{ type: 'hunt', extensions: ['100', '101'], timeoutSeconds: 300 }],
      },
    });
    expect(result.error?.issues.map((issue) => [issue.path.join('.'), issue.message])).toEqual([
      [
        'settings.unknownDid',
        expect.stringContaining('shorten the plan to at most 595s of ringing (Twilio waits 600s at most)'),
      ],
    ]);
  });

  it('the admin API refuses such a plan with 400 and the reason, and changes nothing', async () => {
    const started = await startSwitchboard({ seed: document(30 + 30) });
    try {
      const before = started.switchboard.routing.snapshot.version;
      const response = await fetch(`${started.apiUrl}/routes/main`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${started.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          did: '+19863334949',
          plans: {
            open: [
              { type: 'hunt', extensions: ['100', '101'], timeoutSeconds: 30 },
              { type: 'voicemail', mailbox: '100' },
            ],
          },
        }),
      });
      expect(response.status).toBe(400);
      expect(await response.text()).toContain(
        'rings up to 60s before voicemail answers, but the Twilio edge stops waiting after 60s',
      );
      expect(started.switchboard.routing.snapshot.version).toBe(before);
    } finally {
      await started.switchboard.close(100);
    }
  });
});
