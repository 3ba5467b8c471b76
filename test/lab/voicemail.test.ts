import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { readRoutingFile } from '../../agi-server/src/config.js';
import { wavSeconds } from '../../agi-server/src/media/voicemail-spool.js';
import { launchChromium, screenshot } from '../browser/browser.js';
import { createTestSmtpServer, type TestSmtpServer } from '../support/smtp-server.js';
import {
  type MessagesApi,
  messagesApi,
  startTwilioCloud,
  type TwilioCloud,
} from '../support/twilio-cloud/index.js';
import { TEST_ACCOUNT_SID, TEST_AUTH_TOKEN } from '../support/twilio-signing.js';
import { toneWav } from '../support/wav.js';
import { muLawTone } from './audio.js';
import { callFromTwilio, errorsIn } from './calls.js';
import { LabAsterisk, labPhonePassword, RUN_DIR, Sipp, startPhone } from './lab.js';
import { SwitchboardProcess } from './switchboard-process.js';

// Issue 18 on real Asterisk 22: a message left in VoiceMail() is found in the spool, put on record
// with its email in the outbox, and mailed with its audio through a real SMTP server process
// (STARTTLS + AUTH); the mail server away for 30 s loses nothing. See docs/voicemail.md.
const chroot = inject('labChroot');
const base = readRoutingFile(new URL('routing.lab.yaml', import.meta.url).pathname);
const TOKEN = `sb_${'lab'.repeat(12)}`;
const spool = join(chroot, RUN_DIR.slice(1), 'spool', 'voicemail');
const inbox100 = join(spool, 'default', '100', 'INBOX');
const EMAIL = 'reception@pbx.test';
/** The voicemail route: 100 rings 2 s, then VoiceMail(100); the SIPp caller streams a tone. */
const VOICEMAIL_DID = '+19863334955';
/** After VoiceMail() answers: the unavailable greeting and the beep, then the message (measured). */
const GREETING_MS = 12_100;
const asterisk = new LabAsterisk(chroot);

function managerSecret(): string {
  const secrets = JSON.parse(readFileSync(join(chroot, RUN_DIR.slice(1), 'secrets.json'), 'utf8')) as {
    managerSecret?: string;
  };
  if (!secrets.managerSecret) throw new Error('the lab settings render no manager');
  return secrets.managerSecret;
}

function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'agi-server/src/cli/main.ts', ...args],
      {
        env: { ...process.env, SWITCHBOARD_URL: API, SWITCHBOARD_TOKEN: TOKEN },
        encoding: 'utf8',
      },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
    );
  });
}

async function api(method: string, path: string, token = TOKEN) {
  return fetch(`${API}${path}`, { method, headers: { authorization: `Bearer ${token}` } });
}

/** app_voicemail's own count of new messages in box 100 (what the phone's light shows). */
async function newCount(): Promise<number> {
  const out = await asterisk.cli('voicemail show users for default');
  const line = out.split('\n').find((row) => /^default\s+100\s/.test(row));
  return Number(line?.trim().split(/\s+/).pop());
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const API = 'http://127.0.0.1:18082';
/** Extension 100's mobile: the text notice goes there, from the one SMS-capable number. */
const MOBILE = '+15125550123';
const SMS_NUMBER = '+19863334950';
let smtp: TestSmtpServer;
let cloud: TwilioCloud;
let texts: MessagesApi;
let server: SwitchboardProcess;
let phones: Sipp[] = [];

const newMessages = (before: ReadonlySet<string>) =>
  (existsSync(inbox100) ? readdirSync(inbox100) : []).filter(
    (name) => /^msg\d+\.txt$/.test(name) && !before.has(name),
  );
const inboxNow = () => new Set(existsSync(inbox100) ? readdirSync(inbox100) : []);

beforeAll(async () => {
  writeFileSync(join(chroot, RUN_DIR.slice(1), 'scenarios', 'voicemail-tone.ulaw'), muLawTone(4));
  smtp = await createTestSmtpServer('127.0.0.1', 2525);
  await smtp.start();
  texts = messagesApi({ smsNumbers: [SMS_NUMBER] });
  cloud = await startTwilioCloud({
    credentials: { accountSid: TEST_ACCOUNT_SID, authToken: TEST_AUTH_TOKEN },
    apis: [texts.api],
  });
  const dir = mkdtempSync(join(tmpdir(), 'sb-lab-voicemail-'));
  const seedFile = join(dir, 'routing.json');
  writeFileSync(
    seedFile,
    JSON.stringify({
      ...base,
      extensions: base.extensions?.map((extension) =>
        extension.number === '100' ? { ...extension, email: EMAIL, mobile: MOBILE } : extension,
      ),
      messaging: { smsNumbers: [SMS_NUMBER] },
    }),
  );
  // Its own process: the Twilio library reaches the emulated cloud through HTTP_PROXY and trusts
  // its CA from NODE_EXTRA_CA_CERTS, both read when a process starts.
  server = new SwitchboardProcess(
    {
      ...cloud.env,
      SB_DB_PATH: join(dir, 'store.sqlite'),
      SB_AGI_PORT: '4573',
      SB_API_PORT: '18082',
      SB_ADMIN_TOKEN: TOKEN,
      SB_VOICEMAIL_DIR: spool,
      SB_SMTP_URL: smtp.url,
      SB_SMTP_CA_FILE: smtp.caFile,
      SB_MAIL_FROM: 'switchboard@pbx.test',
      SB_AMI_SECRET: managerSecret(),
      SB_TWILIO_ACCOUNT_SID: TEST_ACCOUNT_SID,
      SB_TWILIO_AUTH_TOKEN: TEST_AUTH_TOKEN,
      // No edge recovery sweep: this test counts the requests that reach the emulated cloud.
      SB_EDGE_SWEEP_MINUTES: '0',
    },
    seedFile,
  );
  await server.ready();
}, 90_000);
afterAll(async () => {
  await server?.stop();
  await cloud?.close();
  await smtp?.stop();
});
afterEach(async () => {
  await Promise.all(phones.map((sipp) => sipp.stop()));
  phones = [];
});

/** `calls` callers reach voicemail (nobody answers) and each leaves `messageMs` of tone. */
async function leaveVoicemails(calls: number, messageMs: number) {
  const ringing = startPhone(chroot, '127.0.0.2', 'phone-ring');
  phones.push(ringing);
  const result = await callFromTwilio(chroot, {
    did: VOICEMAIL_DID,
    scenario: 'twilio-voicemail',
    durationMs: GREETING_MS + messageMs,
    calls,
    rate: 2,
    timeoutSeconds: 120,
  });
  expect(result.exitCode, result.stderr).toBe(0);
}

describe('voicemail email on real Asterisk 22 and a real SMTP server', () => {
  it('a call nobody answers: exactly one email, its WAV attachment 4-6 s by its header', async () => {
    const before = inboxNow();
    const mailBefore = smtp.count();
    await leaveVoicemails(1, 5_000);
    await expect.poll(() => newMessages(before).length, { timeout: 10_000 }).toBe(1);
    await expect.poll(() => smtp.count() - mailBefore, { timeout: 15_000 }).toBe(1);
    // Nothing more comes (a second scan, the next tick) for the same message.
    await sleep(3_000);
    expect(smtp.count() - mailBefore).toBe(1);
    const [mail] = (await smtp.messages()).slice(mailBefore);
    const txt = readFileSync(join(inbox100, newMessages(before)[0] as string), 'utf8');
    const msgId = /msg_id=(\S+)/.exec(txt)?.[1];
    const to = Array.isArray(mail?.to) ? mail.to[0] : mail?.to;
    expect(to?.text).toBe(EMAIL);
    expect(mail?.subject).toMatch(
      /^Voicemail from \+15551230001 \(\d+ s\) at \d{4}-\d\d-\d\d \d\d:\d\d UTC$/,
    );
    expect(mail?.text).toContain('From:     +15551230001');
    expect(mail?.text).toContain(`Called:   ${VOICEMAIL_DID} (route voicemail)`);
    expect(mail?.attachments).toHaveLength(1);
    const attachment = mail?.attachments[0];
    expect(attachment?.contentType).toBe('audio/wav');
    expect(attachment?.filename).toBe(`voicemail-100-${msgId}.wav`);
    const seconds = wavSeconds(attachment?.content ?? Buffer.alloc(0)) ?? 0;
    console.info(`[voicemail] attachment ${attachment?.size} bytes, ${seconds.toFixed(2)} s by its header`);
    expect(seconds).toBeGreaterThanOrEqual(4);
    expect(seconds).toBeLessThanOrEqual(6);
    // The same bytes as the message in the spool.
    const wav = readFileSync(join(inbox100, (newMessages(before)[0] as string).replace('.txt', '.wav')));
    expect(attachment?.content.equals(wav)).toBe(true);
    // One text notice to the owner's mobile, from the SMS-capable number: caller, length, mailbox.
    await expect
      .poll(() => texts.messages.filter((text) => text.to === MOBILE).length, { timeout: 10_000 })
      .toBe(1);
    const [notice] = texts.messages.filter((text) => text.to === MOBILE);
    expect(notice?.from).toBe(SMS_NUMBER);
    expect(notice?.body).toMatch(
      /^Voicemail from \+15551230001, \d+ s, \d{4}-\d\d-\d\d \d\d:\d\d UTC\. Mailbox 100, id \d+-\d+\.$/,
    );
    await expect
      .poll(async () => {
        const [row] = (await (await api('GET', '/messages?direction=voicemail&limit=1')).json()) as Array<
          Record<string, unknown>
        >;
        return row;
      })
      .toMatchObject({ status: 'delivered', voicemail: { mailbox: '100', msgId } });
    expect(errorsIn(server.lines)).toEqual([]);
  }, 90_000);

  it('the SMTP server away for 30 s around 20 voicemails: every email arrives once it is back, none lost', async () => {
    const before = inboxNow();
    const mailBefore = smtp.count();
    await smtp.stop();
    const stoppedAt = Date.now();
    await leaveVoicemails(20, 3_000);
    await expect.poll(() => newMessages(before).length, { timeout: 15_000 }).toBe(20);
    // While it is away: the emails wait in the outbox, queued, visible in /health and /metrics.
    await expect
      .poll(
        async () => {
          const health = (await (await fetch(`${API}/health`)).json()) as {
            outbox?: Array<{ kind: string; state: string; count: number }>;
          };
          return health.outbox?.find((row) => row.kind === 'email' && row.state === 'queued')?.count;
        },
        { timeout: 10_000 },
      )
      .toBe(20);
    const metrics = await (await fetch(`${API}/metrics`)).text();
    expect(metrics).toMatch(/switchboard_outbox_deliveries\{kind="email",state="queued"\} 20/);
    expect(metrics).toMatch(/switchboard_outbox_attempts_total\{kind="email",result="retry"\} [1-9]/);
    expect(smtp.count()).toBe(mailBefore);
    await sleep(Math.max(0, 30_000 - (Date.now() - stoppedAt)));
    await smtp.start();
    const backAt = Date.now();
    await expect.poll(() => smtp.count() - mailBefore, { timeout: 90_000, interval: 500 }).toBe(20);
    console.info(`[voicemail] 20 emails arrived ${Date.now() - backAt} ms after the SMTP server came back`);
    await sleep(3_000);
    expect(smtp.count() - mailBefore).toBe(20);
    // One email per message, each with its own message's audio.
    const ids = newMessages(before).map(
      (name) => /msg_id=(\S+)/.exec(readFileSync(join(inbox100, name), 'utf8'))?.[1],
    );
    const attached = (await smtp.messages())
      .slice(mailBefore)
      .map((mail) => /^voicemail-100-(.+)\.wav$/.exec(mail.attachments[0]?.filename ?? '')?.[1]);
    expect(new Set(attached)).toEqual(new Set(ids));
    expect(attached).toHaveLength(20);
  }, 240_000);

  it('visual voicemail: listed with the token, audio refused without it (401) and outside the spool (400); heard and deleted by Asterisk', async () => {
    const before = inboxNow();
    await leaveVoicemails(1, 3_000);
    await expect.poll(() => newMessages(before).length, { timeout: 10_000 }).toBe(1);
    const name = newMessages(before)[0] as string;
    const msgId = /msg_id=(\S+)/.exec(readFileSync(join(inbox100, name), 'utf8'))?.[1] as string;
    const listed = (await (await api('GET', '/voicemail?mailbox=100')).json()) as {
      mailboxes: Array<{ mailbox: string; new: number; messages: Array<Record<string, unknown>> }>;
    };
    const entry = listed.mailboxes[0]?.messages.find((message) => message.id === msgId);
    expect(entry).toMatchObject({
      mailbox: '100',
      status: 'new',
      callerNumber: '+15551230001',
      audio: `/voicemail/100/${msgId}/audio`,
    });
    expect(entry?.durationSeconds).toBeGreaterThanOrEqual(2);
    const audio = await api('GET', `/voicemail/100/${msgId}/audio`);
    expect(audio.status).toBe(200);
    expect(audio.headers.get('content-type')).toBe('audio/wav');
    const wav = Buffer.from(await audio.arrayBuffer());
    expect(wav.equals(readFileSync(join(inbox100, name.replace('.txt', '.wav'))))).toBe(true);
    expect((await api('GET', `/voicemail/100/${msgId}/audio`, `sb_${'x'.repeat(36)}`)).status).toBe(401);
    expect((await fetch(`${API}/voicemail/100/${msgId}/audio`)).status).toBe(401);
    for (const path of [
      '/voicemail/..%2F..%2F..%2Fetc/passwd/audio',
      `/voicemail/100/..%2FOld%2F${msgId}/audio`,
      '/voicemail/100/msg0000.wav/audio',
      '/voicemail/100%2F..%2F101/1-00000000/audio',
      '/voicemail?mailbox=..%2F100',
    ])
      expect((await api('GET', path)).status, path).toBe(400);

    // The CLI: listed, its audio written to a file byte for byte.
    const listedByCli = await cli('voicemail', 'list', '--mailbox', '100');
    expect(listedByCli.code, listedByCli.stderr).toBe(0);
    expect(listedByCli.stdout).toMatch(new RegExp(`100\\s+${msgId}\\s+new\\s+\\+15551230001`));
    const file = join(mkdtempSync(join(tmpdir(), 'sb-vm-cli-')), 'message.wav');
    const played = await cli('voicemail', 'play', '100', msgId, '-o', file);
    expect(played.code, played.stderr).toBe(0);
    expect(readFileSync(file).equals(wav)).toBe(true);
    expect((await cli('voicemail', 'play', '100', '../../etc/passwd')).code).not.toBe(0);

    // Heard: Asterisk moves it to Old; its count of new messages drops with it.
    const newBefore = await newCount();
    expect((await api('POST', `/voicemail/100/${msgId}/heard`)).status).toBe(200);
    await expect.poll(() => newCount(), { timeout: 5_000 }).toBe(newBefore - 1);
    const old100 = join(spool, 'default', '100', 'Old');
    const inOld = () =>
      readdirSync(old100).filter(
        (file) =>
          file.endsWith('.txt') && readFileSync(join(old100, file), 'utf8').includes(`msg_id=${msgId}`),
      );
    expect(inOld()).toHaveLength(1);
    // Deleted: the file is gone on the PBX, the API no longer knows it.
    const oldName = inOld()[0] as string;
    const removed = await cli('voicemail', 'rm', '100', msgId);
    expect(removed.code, removed.stderr).toBe(0);
    expect(inOld()).toEqual([]);
    // Its audio went with it (Asterisk renumbers what follows: as many .wav as .txt remain).
    const left = readdirSync(old100);
    expect(left.filter((file) => file.endsWith('.wav'))).toHaveLength(
      left.filter((file) => file.endsWith('.txt')).length,
    );
    expect(oldName).toMatch(/^msg\d{4}\.txt$/);
    expect((await api('GET', `/voicemail/100/${msgId}/audio`)).status).toBe(404);
    expect((await api('DELETE', `/voicemail/100/${msgId}`)).status).toBe(404);
  }, 90_000);

  it('in Chromium: the Voicemail view lists the message, its <audio> plays, Delete removes the file on the PBX', async () => {
    const before = inboxNow();
    await leaveVoicemails(1, 3_000);
    await expect.poll(() => newMessages(before).length, { timeout: 10_000 }).toBe(1);
    const name = newMessages(before)[0] as string;
    const msgId = /msg_id=(\S+)/.exec(readFileSync(join(inbox100, name), 'utf8'))?.[1] as string;
    const chromium = await launchChromium();
    try {
      const page = chromium.context.pages()[0] ?? (await chromium.context.newPage());
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      await page.goto(`${API}/`);
      await page.getByLabel('Admin API token').fill(TOKEN);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByTestId('calls').waitFor();
      await page.getByRole('link', { name: 'Voicemail' }).click();
      const row = page.locator(`tr[data-id="${msgId}"]`);
      await row.waitFor();
      expect(await row.textContent()).toContain('+15551230001');
      await row.getByRole('button', { name: 'Play' }).click();
      const audio = row.getByTestId('voicemail-audio');
      await audio.waitFor();
      expect(await audio.getAttribute('src')).toMatch(/^blob:/);
      // Played from the API's bytes: Chromium decoded it (a duration) and its clock moves.
      await expect
        .poll(() => audio.evaluate((element: HTMLAudioElement) => element.duration), { timeout: 10_000 })
        .toBeGreaterThan(0);
      await audio.evaluate((element: HTMLAudioElement) => element.play());
      await expect
        .poll(() => audio.evaluate((element: HTMLAudioElement) => element.currentTime), { timeout: 10_000 })
        .toBeGreaterThan(0);
      const seconds = await audio.evaluate((element: HTMLAudioElement) => element.duration);
      console.info(`[voicemail] Chromium: <audio> duration ${seconds.toFixed(2)} s`);
      await screenshot(page, 'voicemail');
      const wav = join(inbox100, name.replace('.txt', '.wav'));
      const txtHolding = () =>
        readdirSync(inbox100).filter(
          (file) =>
            file.endsWith('.txt') && readFileSync(join(inbox100, file), 'utf8').includes(`msg_id=${msgId}`),
        );
      expect(existsSync(wav)).toBe(true);
      await row.getByRole('button', { name: 'Delete' }).click();
      await expect.poll(() => txtHolding(), { timeout: 5_000 }).toEqual([]);
      await expect.poll(() => row.count(), { timeout: 5_000 }).toBe(0);
      expect((await api('GET', `/voicemail/100/${msgId}/audio`)).status).toBe(404);
      expect(errors).toEqual([]);
    } finally {
      await chromium.close();
    }
  }, 90_000);

  it('greetings: *97 from a phone opens its own mailbox in VoiceMailMain; an uploaded greeting is what callers hear', async () => {
    // *97 from 100 (identified by its address and digest login): VoiceMailMain for 100@default.
    let logFrom = asterisk.log().length;
    const dialled = await new Sipp(chroot, {
      scenario: 'phone-dial',
      address: '127.0.0.2',
      port: 5090,
      mediaPort: 14_000,
      remote: '127.0.0.1:5060',
      service: '*97',
      keys: { caller: '100' },
      auth: { user: '100', password: labPhonePassword(chroot, '100') },
      calls: 1,
      durationMs: 2_000,
      timeoutSeconds: 20,
    }).done;
    expect(dialled.exitCode, dialled.stderr).toBe(0);
    const menu = asterisk.log().slice(logFrom);
    expect(menu).toMatch(/VoiceMailMain\("PJSIP\/100-[0-9a-f]+", "100@default"\)/);
    expect(menu).toMatch(/Playing 'vm-password\./);

    // An uploaded unavailable greeting: written where app_voicemail looks, played to the next caller.
    const greeting = toneWav(2);
    const put = await fetch(`${API}/voicemail/100/greetings/unavail`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'audio/wav' },
      body: new Uint8Array(greeting),
    });
    expect(put.status).toBe(200);
    const file = join(spool, 'default', '100', 'unavail.wav');
    expect(readFileSync(file).equals(greeting)).toBe(true);
    const refused = await fetch(`${API}/voicemail/100/greetings/unavail`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'audio/wav' },
      body: 'RIFF....WAVEnot audio',
    });
    expect(refused.status).toBe(400);
    logFrom = asterisk.log().length;
    await leaveVoicemails(1, 2_000);
    // file.c names the file by its codec: the 8 kHz 16-bit WAV plays as `slin`.
    expect(asterisk.log().slice(logFrom)).toMatch(
      /Playing '\/lab-run\/spool\/voicemail\/default\/100\/unavail\.(wav|slin)'/,
    );
    rmSync(file);
  }, 90_000);
});
