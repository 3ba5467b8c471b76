import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../agi-server/bench/free-port.js';
import { wavSeconds } from '../../agi-server/src/media/voicemail-spool.js';
import type { RoutingConfigInput } from '../../agi-server/src/routing/model.js';
import { SwitchboardProcess } from '../lab/switchboard-process.js';
import { officeConfig } from '../support/routing-fixtures.js';
import { createTestSmtpServer, type TestSmtpServer } from '../support/smtp-server.js';
import {
  type RecordingsApi,
  recordingsApi,
  startTwilioCloud,
  type TwilioCloud,
} from '../support/twilio-cloud/index.js';
import { startTwilioRun, type TwilioRun } from '../support/twilio-run.js';
import { TEST_ACCOUNT_SID, TEST_AUTH_TOKEN } from '../support/twilio-signing.js';
import { toneWav } from '../support/wav.js';

// Issue 18, edge voicemail (docs/voicemail.md): the PBX cannot be reached, the Twilio Function
// falls back to <Record>; its action callback (/voicemail-done, real twilio-run) forwards the
// recording signed to Switchboard (its own process, reaching the emulated Twilio cloud through
// HTTP_PROXY), which stores it before the Function answers, fetches the audio from the Recordings
// API with the account's credentials, mails it through a real SMTP server and notes the call.

const SECRET = 'edge-secret-0123456789abcdef0123456789';
const TOKEN = `sb_${'e'.repeat(40)}`;
const EMAIL = 'ann@pbx.test';
// Fresh SIDs each run: nothing a previous run left can stand in for this run's fetch.
const CALL_SID = `CA${randomBytes(16).toString('hex')}`;
const RECORDING_SID = `RE${randomBytes(16).toString('hex')}`;
let smtp: TestSmtpServer;
let cloud: TwilioCloud;
let recordings: RecordingsApi;
let server: SwitchboardProcess;
let functions: TwilioRun;
let api: string;

beforeAll(async () => {
  smtp = await createTestSmtpServer('127.0.0.1', await freePort());
  await smtp.start();
  // Twilio is still processing the recording for the first two requests (404), as it may be.
  recordings = recordingsApi({ notReadyFor: 2 });
  recordings.recordings.set(RECORDING_SID, toneWav(7));
  cloud = await startTwilioCloud({
    credentials: { accountSid: TEST_ACCOUNT_SID, authToken: TEST_AUTH_TOKEN },
    apis: [recordings.api],
  });
  const dir = mkdtempSync(join(tmpdir(), 'sb-edge-vm-'));
  const seed: RoutingConfigInput = {
    ...officeConfig,
    extensions: (officeConfig.extensions ?? []).map((extension) =>
      extension.number === '100' ? { ...extension, email: EMAIL } : extension,
    ),
  };
  writeFileSync(join(dir, 'routing.json'), JSON.stringify(seed));
  const apiPort = await freePort();
  api = `http://127.0.0.1:${apiPort}`;
  server = new SwitchboardProcess(
    {
      ...cloud.env,
      SB_DB_PATH: join(dir, 'store.sqlite'),
      SB_AGI_PORT: String(await freePort()),
      SB_API_PORT: String(apiPort),
      SB_ADMIN_TOKEN: TOKEN,
      SB_HEADER_SECRET: SECRET,
      SB_SMTP_URL: smtp.url,
      SB_SMTP_CA_FILE: smtp.caFile,
      SB_MAIL_FROM: 'switchboard@pbx.test',
      SB_TWILIO_ACCOUNT_SID: TEST_ACCOUNT_SID,
      SB_TWILIO_AUTH_TOKEN: TEST_AUTH_TOKEN,
    },
    join(dir, 'routing.json'),
  );
  await server.ready();
  functions = await startTwilioRun({
    ACCOUNT_SID: TEST_ACCOUNT_SID,
    AUTH_TOKEN: TEST_AUTH_TOKEN,
    SB_HEADER_SECRET: SECRET,
    PBX_HOST: '127.0.0.1:5060',
    SB_VOICEMAIL_URL: `${api}/edge-voicemail`,
  });
}, 90_000);
afterAll(async () => {
  await functions?.stop();
  await server?.stop();
  await cloud?.close();
  await smtp?.stop();
});

const call = {
  AccountSid: TEST_ACCOUNT_SID,
  CallSid: CALL_SID,
  From: '+15125550199',
  To: '+19863334949',
  ApiVersion: '2010-04-01',
  Direction: 'inbound',
};

describe('edge voicemail', () => {
  it('PBX unreachable: the recording callback leads to one email with the fetched audio and a note on the call row', async () => {
    // The PBX answered 503: the Function fails over to its own voicemail (<Record action=/voicemail-done>).
    const failed = await functions.post('/dial-status', {
      ...call,
      DialCallStatus: 'failed',
      DialSipResponseCode: '503',
    });
    expect(failed.status).toBe(200);
    expect(failed.body).toMatch(/<Record [^>]*action="\/voicemail-done"/);

    const done = await functions.post('/voicemail-done', {
      ...call,
      RecordingSid: RECORDING_SID,
      RecordingUrl: `https://api.twilio.com/2010-04-01/Accounts/${TEST_ACCOUNT_SID}/Recordings/${RECORDING_SID}`,
      RecordingDuration: '7',
      Digits: 'hangup',
    });
    expect(done.status).toBe(200);
    expect(done.body).toContain('<Hangup/>');
    // Stored before the Function answered: the voicemail is on record already.
    const logged = (await (
      await fetch(`${api}/messages?direction=voicemail`, { headers: { authorization: `Bearer ${TOKEN}` } })
    ).json()) as Array<{ sid: string; voicemail: Record<string, unknown> }>;
    expect(logged.map((row) => row.sid)).toEqual([RECORDING_SID]);
    expect(logged[0]?.voicemail).toMatchObject({ origin: 'edge', mailbox: '100', callSid: CALL_SID });

    // Fetched (after two 404s: retried), mailed once with the audio.
    await expect.poll(() => smtp.count(), { timeout: 20_000 }).toBe(1);
    const [mail] = await smtp.messages();
    expect(mail?.subject).toMatch(
      /^Voicemail from \+15125550199 \(7 s\) at \d{4}-\d\d-\d\d \d\d:\d\d C[SD]T$/,
    );
    expect(mail?.text).toContain('Left at the Twilio fallback while the PBX could not be reached.');
    const attachment = mail?.attachments[0];
    expect(attachment?.content.equals(recordings.recordings.get(RECORDING_SID) as Buffer)).toBe(true);
    expect(wavSeconds(attachment?.content ?? Buffer.alloc(0))).toBe(7);
    expect(recordings.fetched.get(RECORDING_SID)).toBe(3);
    // Every request to the Recordings API carried the account's credentials.
    expect(
      cloud.requests.filter((request) => request.path.includes('/Recordings/')).every((r) => r.authenticated),
    ).toBe(true);
    // The call's row: the PBX never saw it; its note says what happened.
    const row = (await (
      await fetch(`${api}/calls/edge-${CALL_SID}`, { headers: { authorization: `Bearer ${TOKEN}` } })
    ).json()) as { disposition: string; note: string; callSid: string; did: string };
    expect(row).toMatchObject({ disposition: 'voicemail', callSid: CALL_SID, did: '+19863334949' });
    expect(row.note).toContain(
      `voicemail at the Twilio edge (PBX unreachable): ${RECORDING_SID}, 7 s, mailbox 100`,
    );

    // The same callback again (Twilio retried, or a replay): refused by Switchboard, no second email.
    const again = await functions.post('/voicemail-done', {
      ...call,
      RecordingSid: RECORDING_SID,
      RecordingUrl: `https://api.twilio.com/2010-04-01/Accounts/${TEST_ACCOUNT_SID}/Recordings/${RECORDING_SID}`,
      RecordingDuration: '7',
    });
    expect(again.status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(smtp.count()).toBe(1);
    // Unsigned by the Function: refused.
    const forged = await fetch(`${api}/edge-voicemail`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ recordingSid: RECORDING_SID }),
    });
    expect(forged.status).toBe(403);
  }, 60_000);
});
