import { verifyHeaders } from '@switchboard/contract';
import { describe, expect, it, vi } from 'vitest';
import { afterDial, type Stage } from '../../functions/src/lib/fallback.js';
import { inboundCall } from '../../functions/src/lib/inbound.js';
import { outboundCall } from '../../functions/src/lib/outbound.js';
import {
  dialActionParamsSchema,
  inboundParamsSchema,
  voiceParamsSchema,
} from '../../functions/src/lib/params.js';
import { runWebhook, type WebhookRequest } from '../../functions/src/lib/webhook.js';
import { sign, TEST_ACCOUNT_SID, TEST_AUTH_TOKEN, voiceWebhookParams } from '../support/twilio-signing.js';

const NOW = new Date('2026-11-23T16:00:00Z');
const SECRET = 'edge-secret-0123456789abcdef0123456789';
const env = {
  ACCOUNT_SID: TEST_ACCOUNT_SID,
  AUTH_TOKEN: TEST_AUTH_TOKEN,
  SB_HEADER_SECRET: SECRET,
  PBX_HOST: 'pbx.acme.test:5060',
  PBX_TRANSPORT: 'tls',
  PBX_SIP_USERNAME: 'twilio-pbx',
  PBX_SIP_PASSWORD: 'digest-password-for-tests-0001',
  DID_ROUTE_KEYS: '{"+19863334953":"edge-vip"}',
  FALLBACK_PBX_HOST: 'pbx2.acme.test',
  FALLBACK_NUMBER: '+15550009999',
  OWNED_NUMBERS: '+19863334949,+19863334950',
  DEFAULT_CALLER_ID: '+19863334949',
  // What the runtime adds to the context: ignored by the configuration.
  DOMAIN_NAME: 'switchboard-1234-dev.twil.io',
  PATH: '/inbound-call',
};

function request(
  path: string,
  params: Record<string, string>,
  overrides: Partial<WebhookRequest> = {},
): WebhookRequest {
  return {
    env,
    domainName: 'switchboard-1234-dev.twil.io',
    path,
    params,
    signature: sign(`https://switchboard-1234-dev.twil.io${path}`, params),
    now: NOW,
    ...overrides,
  };
}

const inbound = (req: WebhookRequest) => runWebhook('inbound-call', inboundParamsSchema, inboundCall, req);

describe('webhook guard: signatures, account, configuration, parameters', () => {
  it('answers a correctly signed request', () => {
    expect(inbound(request('/inbound-call', voiceWebhookParams()))).toMatchObject({
      status: 200,
      contentType: 'text/xml',
    });
  });

  it('refuses an unsigned request, a tampered one, and one signed for another URL', () => {
    const params = voiceWebhookParams();
    expect(inbound(request('/inbound-call', params, { signature: undefined })).status).toBe(403);
    expect(
      inbound(
        request(
          '/inbound-call',
          { ...params, To: '+19863334950' },
          { signature: request('/inbound-call', params).signature },
        ),
      ).status,
    ).toBe(403);
    expect(
      inbound(
        request('/inbound-call', params, {
          signature: sign('https://elsewhere.example.com/inbound-call', params),
        }),
      ).status,
    ).toBe(403);
    expect(
      inbound(
        request('/inbound-call', params, {
          signature: sign(
            'https://switchboard-1234-dev.twil.io/inbound-call',
            params,
            'another-token-000000',
          ),
        }),
      ).status,
    ).toBe(403);
  });

  it('refuses a signed request from another account', () => {
    expect(
      inbound(
        request('/inbound-call', voiceWebhookParams({ AccountSid: 'AC00000000000000000000000000000002' })),
      ).status,
    ).toBe(403);
  });

  it('signs against PUBLIC_BASE_URL when set (a proxy or tunnel in front)', () => {
    const params = voiceWebhookParams();
    const withBase = { ...env, PUBLIC_BASE_URL: 'https://calls.acme.test/' };
    const signature = sign('https://calls.acme.test/inbound-call', params);
    const answer = inbound(request('/inbound-call', params, { env: withBase, signature }));
    expect(answer.status).toBe(200);
    expect(answer.body).toContain('<Sip');
    // Signed for the runtime's own URL instead: refused.
    expect(inbound(request('/inbound-call', params, { env: withBase })).status).toBe(403);
  });

  it('answers bad parameters with safe TwiML (the fallback number), never a 500', () => {
    const result = inbound(request('/inbound-call', voiceWebhookParams({ To: 'client:alice' })));
    expect(result.status).toBe(200);
    expect(result.body).toContain('<Dial><Number>+15550009999</Number></Dial>');
  });

  it('answers with safe TwiML when the configuration is bad or missing', () => {
    const params = voiceWebhookParams();
    const missingPbx = { ...env, PBX_HOST: undefined };
    expect(inbound(request('/inbound-call', params, { env: missingPbx })).body).toContain(
      '<Number>+15550009999</Number>',
    );
    const nothing = inbound(request('/inbound-call', params, { env: {} }));
    expect(nothing).toMatchObject({ status: 200, contentType: 'text/xml' });
    expect(nothing.body).toMatch(/<Say>.*<\/Say><Hangup\/>/);
    expect(
      inbound(request('/inbound-call', params, { env: { ...env, DID_ROUTE_KEYS: '{not json' } })).body,
    ).toContain('<Number>');
  });
});

describe('inbound-call', () => {
  it('dials the PBX with one <Sip> carrying signed X-SB- headers and digest credentials', () => {
    const body = inbound(request('/inbound-call', voiceWebhookParams())).body;
    expect(body.match(/<Dial /g)).toHaveLength(1);
    expect(body.match(/<Sip /g)).toHaveLength(1);
    expect(body).toContain('<Dial answerOnBridge="true" action="/dial-status" method="POST" timeout="120">');
    expect(body).toContain('<Sip username="twilio-pbx" password="digest-password-for-tests-0001">');
    const uri = /<Sip[^>]*>([^<]+)<\/Sip>/.exec(body)?.[1]?.replaceAll('&amp;', '&') ?? '';
    expect(uri.startsWith('sip:+19863334949@pbx.acme.test:5060;transport=tls;secure=true?')).toBe(true);
    const headers = new URLSearchParams(uri.split('?')[1]);
    expect([...headers.keys()]).toEqual(['X-SB-Did', 'X-SB-Caller', 'X-SB-Ts', 'X-SB-Nonce', 'X-SB-Sig']);
    const verified = verifyHeaders(
      {
        did: headers.get('X-SB-Did') ?? '',
        caller: headers.get('X-SB-Caller') ?? '',
        timestamp: headers.get('X-SB-Ts') ?? '',
        nonce: headers.get('X-SB-Nonce') ?? '',
        signature: headers.get('X-SB-Sig') ?? '',
      },
      SECRET,
      NOW,
      // Twilio adds X-Twilio-AccountSid: the Function signed for our account.
      { did: '+19863334949', accountSid: TEST_ACCOUNT_SID, expectedAccountSid: TEST_ACCOUNT_SID },
    );
    expect(verified).toMatchObject({
      status: 'valid',
      metadata: { did: '+19863334949', caller: '+15551230001', route: '' },
    });
  });

  it('adds the route key configured for the DID', () => {
    const body = inbound(request('/inbound-call', voiceWebhookParams({ To: '+19863334953' }))).body;
    expect(body).toContain('X-SB-Route=edge-vip');
  });

  it('carries an odd caller (anonymous, client) safely', () => {
    expect(inbound(request('/inbound-call', voiceWebhookParams({ From: 'anonymous' }))).body).toContain(
      'X-SB-Caller=anonymous',
    );
    expect(
      inbound(request('/inbound-call', voiceWebhookParams({ From: 'client:Anna Smith' }))).body,
    ).toContain('X-SB-Caller=unknown');
  });
});

describe('dial-status and the fallback chain', () => {
  const dial = (
    stage: Stage,
    overrides: Record<string, string>,
    environment: Record<string, unknown> = env,
  ) => {
    const path = { primary: '/dial-status', secondary: '/secondary-status', forward: '/forward-status' }[
      stage
    ];
    return runWebhook(
      path,
      dialActionParamsSchema,
      (config, params, now) => afterDial(stage, config, params, now),
      request(path, voiceWebhookParams(overrides), { env: environment }),
    );
  };

  it('hangs up after a completed call', () => {
    expect(dial('primary', { DialCallStatus: 'completed', DialSipResponseCode: '200' }).body).toContain(
      '<Hangup/>',
    );
    expect(dial('primary', { DialCallStatus: 'answered' }).body).toContain('<Hangup/>');
  });

  // What Twilio reports when the PBX is down or broken: fail over.
  it.each([
    ['failed', '503'],
    ['failed', '500'],
    ['failed', '408'],
    ['no-answer', undefined],
    ['no-answer', '487'],
    ['failed', undefined],
    ['failed', '403'],
  ])('fails over to the secondary PBX after %s %s', (status, code) => {
    const body = dial('primary', {
      DialCallStatus: status,
      ...(code ? { DialSipResponseCode: code } : {}),
    }).body;
    expect(body).toContain('<Dial answerOnBridge="true" action="/secondary-status"');
    expect(body).toMatch(/<Sip[^>]*>sip:\+19863334949@pbx2\.acme\.test;transport=tls;secure=true\?X-SB-Did=/);
  });

  // What our own dialplan answers on purpose (unknown DID, reject busy, plan ended, declined),
  // and a caller who hung up: the call ends here, at every stage.
  it.each([
    ['failed', '404', 'declined'],
    ['busy', '486', 'declined'],
    ['busy', undefined, 'declined'],
    ['no-answer', '480', 'declined'],
    ['failed', '603', 'declined'],
    ['busy', '600', 'declined'],
    ['canceled', '487', 'caller-gone'],
  ])('does not fail over after %s %s (%s), and logs which it was', (status, code, outcome) => {
    for (const stage of ['primary', 'secondary'] as const) {
      const lines: string[] = [];
      const spy = vi.spyOn(console, 'log').mockImplementation((line: string) => void lines.push(line));
      try {
        const body = dial(stage, {
          DialCallStatus: status,
          ...(code ? { DialSipResponseCode: code } : {}),
        }).body;
        expect(body).toBe('<?xml version="1.0" encoding="UTF-8"?><Response><Hangup/></Response>');
      } finally {
        spy.mockRestore();
      }
      expect(lines.map((line) => JSON.parse(line))).toEqual([
        expect.objectContaining({
          msg: `dial ended (${outcome}): no failover`,
          stage,
          outcome,
          dialCallStatus: status,
          sipResponseCode: code ?? null,
        }),
      ]);
    }
  });

  it('goes on to the number, then to voicemail with a recording callback', () => {
    expect(dial('secondary', { DialCallStatus: 'failed', DialSipResponseCode: '408' }).body).toContain(
      '<Dial action="/forward-status" method="POST" timeout="30"><Number>+15550009999</Number></Dial>',
    );
    const voicemail = dial('forward', { DialCallStatus: 'no-answer' }).body;
    expect(voicemail).toMatch(/<Say>Sorry, nobody can take your call right now.*<\/Say><Record /);
    expect(voicemail).toContain('action="/voicemail-done"');
    expect(voicemail).toContain('recordingStatusCallback="/recording-status"');
  });

  it('skips fallbacks that are not configured', () => {
    const onlyVoicemail = { ...env, FALLBACK_PBX_HOST: undefined, FALLBACK_NUMBER: undefined };
    expect(
      dial('primary', { DialCallStatus: 'failed', DialSipResponseCode: '503' }, onlyVoicemail).body,
    ).toContain('<Record ');
    const none = { ...onlyVoicemail, VOICEMAIL: 'off' };
    expect(dial('primary', { DialCallStatus: 'failed' }, none).body).toMatch(/<Say>.*<\/Say><Hangup\/>/);
  });

  it('takes DialCallStatus as an enum: `complete` is not a status Twilio sends', () => {
    expect(dialActionParamsSchema.safeParse(voiceWebhookParams({ DialCallStatus: 'complete' })).success).toBe(
      false,
    );
    expect(dial('primary', { DialCallStatus: 'complete' }).body).toContain('<Number>+15550009999</Number>');
  });
});

describe('outbound-call (SIP Domain)', () => {
  const outbound = (to: string, from: string, environment: Record<string, unknown> = env) =>
    runWebhook(
      'outbound-call',
      voiceParamsSchema,
      (config, params) => outboundCall(config, params),
      request('/outbound-call', voiceWebhookParams({ To: to, From: from, Direction: 'inbound' }), {
        env: environment,
      }),
    ).body;

  it('dials an E.164 number with the extension DID as caller ID when it is owned', () => {
    expect(
      outbound('sip:+15551234567@acme.sip.twilio.com', 'sip:+19863334950@acme.sip.twilio.com'),
    ).toContain('<Dial callerId="+19863334950"><Number>+15551234567</Number></Dial>');
  });

  it('normalises a national number and uses the default caller ID for a non-owned one', () => {
    expect(
      outbound('sip:5551234567@acme.sip.twilio.com;transport=udp', 'sip:100@acme.sip.twilio.com'),
    ).toContain('<Dial callerId="+19863334949"><Number>+15551234567</Number></Dial>');
  });

  it.each([
    ['a premium number', 'sip:+19005550100@acme.sip.twilio.com'],
    ['a country not allowed', 'sip:+442071838750@acme.sip.twilio.com'],
    ['not a number', 'sip:reception@acme.sip.twilio.com'],
  ])('rejects %s', (_what, to) => {
    expect(outbound(to, 'sip:+19863334949@acme.sip.twilio.com')).toContain('<Reject reason="rejected"/>');
  });

  it('rejects when no owned caller ID can be presented', () => {
    expect(
      outbound('sip:+15551234567@acme.sip.twilio.com', 'sip:100@x', { ...env, DEFAULT_CALLER_ID: undefined }),
    ).toContain('<Reject');
  });
});
