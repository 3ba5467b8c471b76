import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTwilioRun, type TwilioRun } from '../support/twilio-run.js';
import { TEST_ACCOUNT_SID, TEST_AUTH_TOKEN, voiceWebhookParams } from '../support/twilio-signing.js';

// Issue 20 on real twilio-run: with PBX_TRANSPORT=tls every <Sip> (the PBX, then the secondary
// PBX after a failure at the edge) asks Twilio for TLS and SRTP (`;transport=tls;secure=true`).
let server: TwilioRun;

beforeAll(async () => {
  server = await startTwilioRun({
    ACCOUNT_SID: TEST_ACCOUNT_SID,
    AUTH_TOKEN: TEST_AUTH_TOKEN,
    SB_HEADER_SECRET: 'edge-secret-0123456789abcdef0123456789',
    PBX_HOST: 'pbx.acme.test:5061',
    PBX_TRANSPORT: 'tls',
    FALLBACK_PBX_HOST: 'pbx2.acme.test',
    FALLBACK_NUMBER: '+15550009999',
    OWNED_NUMBERS: '+19863334949',
    DEFAULT_CALLER_ID: '+19863334949',
  });
}, 60_000);
afterAll(async () => {
  await server?.stop();
});

const sipUri = (body: string) => /<Sip>([^<]+)<\/Sip>/.exec(body)?.[1]?.replaceAll('&amp;', '&') ?? '';

describe('Functions on twilio-run with PBX_TRANSPORT=tls', () => {
  it('inbound-call dials the PBX over TLS with secure media', async () => {
    const response = await server.post('/inbound-call', voiceWebhookParams());
    expect(response.status).toBe(200);
    expect(sipUri(response.body)).toMatch(
      /^sip:\+19863334949@pbx\.acme\.test:5061;transport=tls;secure=true\?X-SB-Did=%2B19863334949&X-SB-Caller=/,
    );
  });

  it('a failed dial fails over to the secondary PBX, still over TLS with secure media', async () => {
    const response = await server.post(
      '/dial-status',
      voiceWebhookParams({ DialCallStatus: 'failed', DialSipResponseCode: '503' }),
    );
    expect(response.body).toContain('action="/secondary-status"');
    expect(sipUri(response.body)).toMatch(
      /^sip:\+19863334949@pbx2\.acme\.test;transport=tls;secure=true\?X-SB-Did=/,
    );
  });
});
