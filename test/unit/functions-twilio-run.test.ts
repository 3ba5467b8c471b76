import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTwilioRun, type TwilioRun } from '../support/twilio-run.js';
import { TEST_ACCOUNT_SID, TEST_AUTH_TOKEN, voiceWebhookParams } from '../support/twilio-signing.js';

// The built Functions, served by real twilio-run, answering signed form-encoded POSTs exactly as
// Twilio sends them.
let server: TwilioRun;

beforeAll(async () => {
  server = await startTwilioRun({
    ACCOUNT_SID: TEST_ACCOUNT_SID,
    AUTH_TOKEN: TEST_AUTH_TOKEN,
    SB_HEADER_SECRET: 'edge-secret-0123456789abcdef0123456789',
    PBX_HOST: '127.0.0.1:5060',
    FALLBACK_NUMBER: '+15550009999',
    OWNED_NUMBERS: '+19863334949',
    DEFAULT_CALLER_ID: '+19863334949',
  });
}, 60_000);
afterAll(async () => {
  await server?.stop();
});

describe('Functions on twilio-run', () => {
  it('POST /inbound-call for To=+19863334949 returns a <Dial> with one <Sip> carrying the X-SB- headers', async () => {
    const response = await server.post('/inbound-call', voiceWebhookParams());
    expect(response.status).toBe(200);
    expect(response.contentType).toMatch(/^text\/xml/);
    expect(response.body.match(/<Dial /g)).toHaveLength(1);
    expect(response.body.match(/<Sip>/g)).toHaveLength(1);
    expect(response.body).toMatch(
      /<Sip>sip:\+19863334949@127\.0\.0\.1:5060;transport=udp\?X-SB-Did=%2B19863334949&amp;X-SB-Caller=%2B15551230001&amp;X-SB-Ts=\d+&amp;X-SB-Nonce=[A-Za-z0-9_-]{22}&amp;X-SB-Sig=[A-Za-z0-9_-]{43}<\/Sip>/,
    );
  });

  it('refuses unsigned and tampered requests with 403', async () => {
    expect((await server.post('/inbound-call', voiceWebhookParams(), { signature: null })).status).toBe(403);
    const tampered = await server.post('/inbound-call', voiceWebhookParams({ To: '+19863334950' }), {
      signature: 'bm90IGEgcmVhbCBzaWduYXR1cmU=',
    });
    expect(tampered.status).toBe(403);
    expect(server.output()).toContain('request refused: missing or wrong X-Twilio-Signature');
  });

  it('answers a failed dial with the fallback TwiML', async () => {
    const response = await server.post(
      '/dial-status',
      voiceWebhookParams({ DialCallStatus: 'failed', DialSipResponseCode: '503' }),
    );
    expect(response.body).toContain(
      '<Dial action="/forward-status" method="POST" timeout="30"><Number>+15550009999</Number></Dial>',
    );
  });

  it('answers the SIP Domain with a <Dial callerId><Number>', async () => {
    const response = await server.post(
      '/outbound-call',
      voiceWebhookParams({
        To: 'sip:+15551234567@acme.sip.twilio.com',
        From: 'sip:+19863334949@acme.sip.twilio.com',
      }),
    );
    expect(response.body).toContain('<Dial callerId="+19863334949"><Number>+15551234567</Number></Dial>');
  });

  it('thanks the caller after a voicemail and logs the recording when it is ready', async () => {
    expect(
      (await server.post('/voicemail-done', voiceWebhookParams({ RecordingUrl: 'https://api.twilio.com/x' })))
        .body,
    ).toContain('<Say>Thank you. Goodbye.</Say><Hangup/>');
    const recording = {
      AccountSid: TEST_ACCOUNT_SID,
      CallSid: 'CA0123456789abcdef0123456789abcdef',
      RecordingSid: `RE${'a'.repeat(32)}`,
      RecordingUrl: `https://api.twilio.com/2010-04-01/Accounts/${TEST_ACCOUNT_SID}/Recordings/RE${'a'.repeat(32)}`,
      RecordingStatus: 'completed',
      RecordingDuration: '12',
    };
    const response = await server.post('/recording-status', recording);
    expect(response.status).toBe(200);
    expect(server.output()).toContain(`"msg":"voicemail recorded"`);
    expect(server.output()).toContain(`"recordingSid":"RE${'a'.repeat(32)}"`);
  });

  it('answers bad parameters with safe TwiML, not a 500', async () => {
    const response = await server.post('/inbound-call', voiceWebhookParams({ To: 'not-a-number' }));
    expect(response.status).toBe(200);
    expect(response.body).toContain('<Number>+15550009999</Number>');
  });
});
