import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MessageRecord } from '../../agi-server/src/store/message-types.js';
import { officeConfig } from '../support/routing-fixtures.js';
import { startSwitchboard } from '../support/switchboard.js';
import { startTwilioRun, type TwilioRun } from '../support/twilio-run.js';
import { sign, TEST_ACCOUNT_SID, TEST_AUTH_TOKEN } from '../support/twilio-signing.js';

// Twilio -> the /inbound-message Function on real twilio-run -> Switchboard's POST /inbound-message
// (real server, SQLite): the whole inbound hand-over, signed at both steps.
const secret = 'edge-secret-0123456789abcdef0123456789';
let server: TwilioRun;
let started: Awaited<ReturnType<typeof startSwitchboard>>;

beforeAll(async () => {
  started = await startSwitchboard({
    seed: officeConfig,
    headerSecret: secret,
    adminToken: `sb_${'t'.repeat(40)}`,
  });
  server = await startTwilioRun({
    ACCOUNT_SID: TEST_ACCOUNT_SID,
    AUTH_TOKEN: TEST_AUTH_TOKEN,
    SB_HEADER_SECRET: secret,
    PBX_HOST: '127.0.0.1:5060',
    SB_MESSAGE_URL: `${started.apiUrl}/inbound-message`,
  });
}, 60_000);
afterAll(async () => {
  await server?.stop();
  await started?.switchboard.close(0);
});

function smsParams(sid: string, body: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    AccountSid: TEST_ACCOUNT_SID,
    ApiVersion: '2010-04-01',
    Body: body,
    From: '+15125550199',
    FromCountry: 'US',
    MessageSid: sid,
    NumMedia: '0',
    NumSegments: '1',
    SmsMessageSid: sid,
    SmsSid: sid,
    SmsStatus: 'received',
    To: '+19863334949',
    ToCountry: 'US',
    ...extra,
  };
}

const logged = async () =>
  (await (
    await fetch(`${started.apiUrl}/messages?limit=1000`, {
      headers: { authorization: `Bearer ${started.token}` },
    })
  ).json()) as MessageRecord[];

describe('/inbound-message on twilio-run', () => {
  it('forwards a signed text to Switchboard, which stores it byte-exact before Twilio gets <Response/>', async () => {
    const sid = `SM${'a1'.repeat(16)}`;
    const response = await server.post('/inbound-message', smsParams(sid, 'Ünï ✓ 👋'));
    expect(response).toMatchObject({ status: 200, contentType: expect.stringMatching(/^text\/xml/) });
    expect(response.body).toContain('<Response/>');
    const [message] = (await logged()).filter((row) => row.sid === sid);
    expect(message).toMatchObject({ body: 'Ünï ✓ 👋', bodyBytes: 14, extensions: ['100', '101', '102'] });
  });

  it('passes MMS media on as links', async () => {
    const sid = `MM${'b2'.repeat(16)}`;
    const media = 'https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1';
    expect(
      (await server.post('/inbound-message', smsParams(sid, '', { NumMedia: '1', MediaUrl0: media }))).status,
    ).toBe(200);
    const [message] = (await logged()).filter((row) => row.sid === sid);
    expect(message?.media).toEqual([media]);
  });

  it('answers 403 to a changed signature byte or a replay, and nothing more is stored', async () => {
    const before = (await logged()).length;
    const sid = `SM${'c3'.repeat(16)}`;
    const params = smsParams(sid, 'Ünï ✓ 👋');
    const good = sign(`${server.publicUrl}/inbound-message`, params);
    const flipped = `${good[0] === 'A' ? 'B' : 'A'}${good.slice(1)}`;
    expect((await server.post('/inbound-message', params, { signature: flipped })).status).toBe(403);
    expect((await logged()).length).toBe(before);
    expect((await server.post('/inbound-message', params)).status).toBe(200);
    expect((await server.post('/inbound-message', params)).status).toBe(403);
    expect((await logged()).length).toBe(before + 1);
  });
});
