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
  type CallRecordsApi,
  callRecordsApi,
  type RecordingsApi,
  recordingsApi,
  startTwilioCloud,
  type TwilioCloud,
} from '../support/twilio-cloud/index.js';
import { startTwilioRun, type TwilioRun } from '../support/twilio-run.js';
import { TEST_ACCOUNT_SID, TEST_AUTH_TOKEN } from '../support/twilio-signing.js';
import { toneWav } from '../support/wav.js';

// Issue 18, edge voicemail recovery (docs/voicemail.md, "Recovery sweep"): the /voicemail-done
// Function (real twilio-run) cannot reach Switchboard, so its forward is lost and Twilio never
// repeats it. Switchboard (its own process, started afterwards, reaching the emulated Twilio cloud
// through HTTP_PROXY) lists the account's recordings at start and every SB_EDGE_SWEEP_MINUTES,
// fetches each one's call, and ingests the fallback voicemails to our numbers through the same
// intake as the forward: one email with the audio through a real SMTP server, a note on the row.

const SECRET = 'edge-secret-0123456789abcdef0123456789';
const TOKEN = `sb_${'e'.repeat(40)}`;
const EMAIL = 'ann@pbx.test';
const OURS = '+19863334949';
const CALLER = '+15125550199';
const sid = (prefix: 'CA' | 'RE') => `${prefix}${randomBytes(16).toString('hex')}`;
// Fresh SIDs each run: nothing a previous run left (cached audio, rows) can stand in.
const lost = { call: sid('CA'), recording: sid('RE') };
const dialVerb = { call: sid('CA'), recording: sid('RE') };
const otherNumber = { call: sid('CA'), recording: sid('RE') };
const forwarded = { call: sid('CA'), recording: sid('RE') };
const outboundCall = { call: sid('CA'), recording: sid('RE') };

let smtp: TestSmtpServer;
let cloud: TwilioCloud;
let audio: RecordingsApi;
let records: CallRecordsApi;
let server: SwitchboardProcess | undefined;
let functions: TwilioRun;
let api: string;
let serverEnv: Record<string, string>;
let seedFile: string;

const auth = { headers: { authorization: `Bearer ${TOKEN}` } };
const sweeps = () => (server?.lines ?? []).filter((line) => line.msg === 'edge voicemail sweep');

function recordCallback(call: { call: string; recording: string }, seconds: number) {
  return {
    AccountSid: TEST_ACCOUNT_SID,
    CallSid: call.call,
    From: CALLER,
    To: OURS,
    ApiVersion: '2010-04-01',
    Direction: 'inbound',
    RecordingSid: call.recording,
    RecordingUrl: `https://api.twilio.com/2010-04-01/Accounts/${TEST_ACCOUNT_SID}/Recordings/${call.recording}`,
    RecordingDuration: String(seconds),
    Digits: 'hangup',
  };
}

/** What Twilio would hold after such a call: the recording and its call. */
function atTwilio(
  call: { call: string; recording: string },
  facts: { source: string; to: string; seconds: number; direction?: 'inbound' | 'outbound-api' },
) {
  records.recordings.push({
    sid: call.recording,
    callSid: call.call,
    source: facts.source,
    status: 'completed',
    durationSeconds: facts.seconds,
    dateCreated: new Date(Date.now() - facts.seconds * 1000),
  });
  records.calls.set(call.call, {
    sid: call.call,
    from: CALLER,
    to: facts.to,
    direction: facts.direction ?? 'inbound',
    status: 'completed',
  });
  audio.recordings.set(call.recording, toneWav(facts.seconds));
}

beforeAll(async () => {
  smtp = await createTestSmtpServer('127.0.0.1', await freePort());
  await smtp.start();
  audio = recordingsApi();
  records = callRecordsApi();
  cloud = await startTwilioCloud({
    credentials: { accountSid: TEST_ACCOUNT_SID, authToken: TEST_AUTH_TOKEN },
    apis: [audio.api, records.api],
  });
  const dir = mkdtempSync(join(tmpdir(), 'sb-edge-sweep-'));
  const seed: RoutingConfigInput = {
    ...officeConfig,
    extensions: (officeConfig.extensions ?? []).map((extension) =>
      extension.number === '100' ? { ...extension, email: EMAIL } : extension,
    ),
  };
  seedFile = join(dir, 'routing.json');
  writeFileSync(seedFile, JSON.stringify(seed));
  const apiPort = await freePort();
  api = `http://127.0.0.1:${apiPort}`;
  serverEnv = {
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
    // Every 3 s, so a test sees several sweeps (the default is 5 minutes).
    SB_EDGE_SWEEP_MINUTES: '0.05',
  };
  functions = await startTwilioRun({
    ACCOUNT_SID: TEST_ACCOUNT_SID,
    AUTH_TOKEN: TEST_AUTH_TOKEN,
    SB_HEADER_SECRET: SECRET,
    PBX_HOST: '127.0.0.1:5060',
    // Nothing listens there yet: Switchboard is down.
    SB_VOICEMAIL_URL: `${api}/edge-voicemail`,
  });
}, 90_000);
afterAll(async () => {
  await functions?.stop();
  await server?.stop();
  await cloud?.close();
  await smtp?.stop();
});

describe('edge voicemail recovery sweep', () => {
  it('Switchboard down during the fallback: started afterwards, one sweep mails the recording once and notes the call', async () => {
    // The caller leaves a message at the fallback; the Function cannot reach Switchboard.
    const done = await functions.post('/voicemail-done', recordCallback(lost, 6));
    expect(done.status).toBe(200);
    // The caller still hears the goodbye and the call ends: Twilio gets its TwiML.
    expect(done.body).toContain('<Hangup/>');
    expect(functions.output()).toContain('Switchboard did not take the edge voicemail');
    atTwilio(lost, { source: 'RecordVerb', to: OURS, seconds: 6 });
    // Not fallback voicemails: a <Dial record> recording on our number, a <Record> on another number,
    // and an outbound call's <Record>.
    atTwilio(dialVerb, { source: 'DialVerb', to: OURS, seconds: 4 });
    atTwilio(otherNumber, { source: 'RecordVerb', to: '+15550001111', seconds: 5 });
    atTwilio(outboundCall, { source: 'RecordVerb', to: OURS, seconds: 5, direction: 'outbound-api' });

    server = new SwitchboardProcess(serverEnv, seedFile);
    await server.ready();
    // The sweep at start finds it: one email with the fetched audio.
    await expect.poll(() => smtp.count(), { timeout: 20_000 }).toBe(1);
    const [mail] = await smtp.messages();
    expect(mail?.subject).toMatch(
      /^Voicemail from \+15125550199 \(6 s\) at \d{4}-\d\d-\d\d \d\d:\d\d C[SD]T$/,
    );
    expect(mail?.text).toContain('Left at the Twilio fallback while the PBX could not be reached.');
    expect(mail?.text).toContain(`Id:       ${lost.recording}`);
    const attachment = mail?.attachments[0];
    expect(attachment?.content.equals(audio.recordings.get(lost.recording) as Buffer)).toBe(true);
    expect(wavSeconds(attachment?.content ?? Buffer.alloc(0))).toBe(6);
    // The sweep asked through the library: DateCreated> and PageSize in the query, with credentials.
    expect(records.listed[0]?.get('DateCreated>')).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(records.listed[0]?.get('PageSize')).toBe('100');
    expect(cloud.requests.every((request) => request.authenticated)).toBe(true);
    // Only <Record> recordings had their call fetched; the DialVerb one was never looked up.
    expect(records.callFetches).toContain(lost.call);
    expect(records.callFetches).toContain(otherNumber.call);
    expect(records.callFetches).toContain(outboundCall.call);
    expect(records.callFetches).not.toContain(dialVerb.call);
    // On record once, the others not at all.
    const stored = (await (await fetch(`${api}/messages?direction=voicemail`, auth)).json()) as Array<{
      sid: string;
      voicemail: Record<string, unknown>;
    }>;
    expect(stored.map((row) => row.sid)).toEqual([lost.recording]);
    expect(stored[0]?.voicemail).toMatchObject({ origin: 'edge', mailbox: '100', callSid: lost.call });
    // The call's row carries the note.
    const row = (await (await fetch(`${api}/calls/edge-${lost.call}`, auth)).json()) as {
      disposition: string;
      note: string;
      did: string;
    };
    expect(row).toMatchObject({ disposition: 'voicemail', did: OURS });
    expect(row.note).toContain(
      `voicemail at the Twilio edge (PBX unreachable): ${lost.recording}, 6 s, mailbox 100`,
    );
    expect(row.note).toContain('found by the recovery sweep');
    // The other order: the sweep stored it first, then its forward arrives after all (a Function
    // retry by hand, a late network): the same key, taken as already stored, no second email.
    expect(functions.output()).not.toContain('edge voicemail taken by Switchboard');
    const late = await functions.post('/voicemail-done', recordCallback(lost, 6));
    expect(late.status).toBe(200);
    expect(functions.output()).toContain('edge voicemail taken by Switchboard');
    expect(functions.output()).not.toContain('Switchboard refused the edge voicemail');
    // Later sweeps see it again (the overlap) and do nothing: still one email.
    const seen = sweeps().length;
    await expect.poll(() => sweeps().length, { timeout: 15_000 }).toBeGreaterThanOrEqual(seen + 2);
    expect(smtp.count()).toBe(1);
    // Ignored ones are remembered: their calls are not fetched again by later sweeps.
    expect(records.callFetches.filter((call) => call === otherNumber.call)).toHaveLength(1);
  }, 90_000);

  it('a recording forwarded normally and then seen by the sweep: still exactly one email', async () => {
    const before = smtp.count();
    const done = await functions.post('/voicemail-done', recordCallback(forwarded, 3));
    expect(done.status).toBe(200);
    // In Twilio's list from now on (after the forward, so no sweep can take it first: this case is
    // "forward, then sweep"; the other order is shown above).
    atTwilio(forwarded, { source: 'RecordVerb', to: OURS, seconds: 3 });
    expect(done.body).toContain('<Hangup/>');
    await expect.poll(() => smtp.count(), { timeout: 20_000 }).toBe(before + 1);
    // Two more sweeps list it (it is in their window) and leave it: one email, one row.
    const listedBefore = records.listed.length;
    await expect
      .poll(() => records.listed.length, { timeout: 15_000 })
      .toBeGreaterThanOrEqual(listedBefore + 2);
    await expect.poll(() => sweeps().length, { timeout: 5_000 }).toBeGreaterThan(0);
    expect(smtp.count()).toBe(before + 1);
    const mails = await smtp.messages();
    expect(mails.filter((mail) => mail.text?.includes(forwarded.recording))).toHaveLength(1);
    const stored = (await (await fetch(`${api}/messages?direction=voicemail`, auth)).json()) as Array<{
      sid: string;
    }>;
    expect(stored.filter((row) => row.sid === forwarded.recording)).toHaveLength(1);
    // Already on record when the sweeps listed it: its call was never fetched.
    expect(records.callFetches).not.toContain(forwarded.call);
    // Its row was written by the forward: no sweep note.
    const row = (await (await fetch(`${api}/calls/edge-${forwarded.call}`, auth)).json()) as { note: string };
    expect(row.note).not.toContain('recovery sweep');

    // A restart: the start sweep derives its mark from the stored edge voicemails and lists again.
    await server?.stop();
    const listedAtStop = records.listed.length;
    server = new SwitchboardProcess(serverEnv, seedFile);
    await server.ready();
    await expect.poll(() => records.listed.length, { timeout: 15_000 }).toBeGreaterThan(listedAtStop);
    await expect.poll(() => sweeps().length, { timeout: 10_000 }).toBeGreaterThan(0);
    expect(smtp.count()).toBe(before + 1);
    // The mark came from the store (the newest edge voicemail less an hour), not the 7-day floor.
    const since = Date.parse(records.listed[listedAtStop]?.get('DateCreated>') ?? '');
    expect(Date.now() - since).toBeLessThan(2 * 60 * 60_000);
    expect(Date.now() - since).toBeGreaterThan(50 * 60_000);
  }, 120_000);
});
