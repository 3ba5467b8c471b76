import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { RoutingConfigInput } from '../../agi-server/src/routing/model.js';
import type { MessageRecord } from '../../agi-server/src/store/message-types.js';
import { startTwilioRun, type TwilioRun } from '../support/twilio-run.js';
import { sign, TEST_ACCOUNT_SID, TEST_AUTH_TOKEN } from '../support/twilio-signing.js';
import { LabAsterisk, labPhonePassword, RUN_DIR, Sipp } from './lab.js';
import { SwitchboardProcess } from './switchboard-process.js';

// Texts on real Asterisk 22: Twilio's signed Messaging webhook -> the /inbound-message Function on
// twilio-run -> Switchboard (its own process, SQLite) -> AMI MessageSend -> SIPp phones that
// REGISTERed (200 from two devices, 201 later). Figures are printed for docs/messaging.md.

const chroot = inject('labChroot');
const headerSecret = 'lab-message-secret-0123456789abcdef0123';
const adminToken = `sb_${'l'.repeat(40)}`;
const API = 'http://127.0.0.1:18080';
const BODY = 'Ünï ✓ 👋';

const seed: RoutingConfigInput = {
  settings: { defaultCountry: 'US' },
  extensions: [
    { number: '200', name: 'Texting desk' },
    { number: '201', name: 'Texting mobile' },
  ],
  routes: [{ id: 'texts', did: '+19863334949', plans: { open: [{ type: 'extension', extension: '200' }] } }],
  messaging: { targets: [{ did: '+19863334950', extensions: ['201'] }] },
};

function managerSecret(): string {
  const secrets = JSON.parse(readFileSync(join(chroot, RUN_DIR.slice(1), 'secrets.json'), 'utf8')) as {
    managerSecret?: string;
  };
  if (!secrets.managerSecret) throw new Error('the lab settings render no manager');
  return secrets.managerSecret;
}

const dir = mkdtempSync(join(tmpdir(), 'sb-lab-messages-'));
const seedFile = join(dir, 'routing.json');
writeFileSync(seedFile, JSON.stringify(seed));
const serverEnv = () => ({
  SB_DB_PATH: join(dir, 'store.sqlite'),
  SB_AGI_PORT: '14573',
  SB_API_PORT: '18080',
  SB_ADMIN_TOKEN: adminToken,
  SB_HEADER_SECRET: headerSecret,
  SB_AMI_SECRET: managerSecret(),
  SB_MESSAGE_FROM_HOST: '127.0.0.1',
});

function registerPhone(address: string, user: string): Sipp {
  return new Sipp(chroot, {
    scenario: 'phone-register',
    outOfCallScenario: 'message-answer',
    address,
    remote: '127.0.0.1:5060',
    keys: { user },
    auth: { user, password: labPhonePassword(chroot, user) },
    calls: 1,
    mediaPort: 12_000 + Number(address.split('.').pop()) * 100,
  });
}

const received = (phone: Sipp) =>
  phone
    .logsSoFar()
    .filter((line) => line.startsWith('MESSAGE '))
    .map((line) => line.slice('MESSAGE '.length));

async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

let sidCounter = 0;
const newSid = () => `SM${(Date.now() * 1000 + sidCounter++).toString(16).padStart(32, '0')}`;
function smsParams(to: string, body: string): Record<string, string> {
  const sid = newSid();
  return {
    AccountSid: TEST_ACCOUNT_SID,
    ApiVersion: '2010-04-01',
    Body: body,
    From: '+15125550199',
    MessageSid: sid,
    NumMedia: '0',
    SmsSid: sid,
    SmsStatus: 'received',
    To: to,
  };
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
};

describe('texts to phones on real Asterisk 22', () => {
  let server: SwitchboardProcess;
  let edge: TwilioRun;
  let deskA: Sipp;
  let deskB: Sipp;
  const asterisk = new LabAsterisk(chroot);

  beforeAll(async () => {
    server = new SwitchboardProcess(serverEnv(), seedFile);
    await server.ready();
    edge = await startTwilioRun({
      ACCOUNT_SID: TEST_ACCOUNT_SID,
      AUTH_TOKEN: TEST_AUTH_TOKEN,
      SB_HEADER_SECRET: headerSecret,
      PBX_HOST: '127.0.0.1:5060',
      SB_MESSAGE_URL: `${API}/inbound-message`,
    });
    deskA = registerPhone('127.0.0.21', '200');
    deskB = registerPhone('127.0.0.22', '200');
    await until(
      () => [deskA, deskB].every((phone) => phone.logsSoFar().includes('registered 200')),
      10_000,
      'both devices of 200 to register',
    );
  }, 90_000);
  afterAll(async () => {
    await Promise.all([deskA?.stop(), deskB?.stop()]);
    await edge?.stop();
    await server?.stop();
  });

  it('delivers a signed webhook to both registered devices of 200, byte-exact', async () => {
    const contacts = await asterisk.cli('pjsip show contacts');
    expect(contacts.match(/200\/sip:200@127\.0\.0\.2[12]/g)).toHaveLength(2);
    const response = await edge.post('/inbound-message', smsParams('+19863334949', BODY));
    expect(response.status).toBe(200);
    await until(() => received(deskA).length === 1 && received(deskB).length === 1, 5_000, 'both devices');
    expect(received(deskA)).toEqual([BODY]);
    expect(received(deskB)).toEqual([BODY]);
    expect(Buffer.from(received(deskA)[0] ?? '', 'utf8')).toEqual(Buffer.from(BODY, 'utf8'));
  });

  it("splits a 3,000-byte text under Asterisk's 1 KiB MESSAGE limit: every piece arrives, nothing lost", async () => {
    const baseA = received(deskA).length;
    const long = `${'Ünï ✓ 👋 '.repeat(200)}end`;
    expect(Buffer.byteLength(long, 'utf8')).toBeGreaterThan(2_900);
    expect((await edge.post('/inbound-message', smsParams('+19863334949', long))).status).toBe(200);
    await until(() => received(deskA).length - baseA >= 5, 5_000, 'the pieces');
    const pieces = received(deskA).slice(baseA);
    expect(pieces.every((piece) => Buffer.byteLength(piece, 'utf8') <= 750)).toBe(true);
    expect(pieces[0]).toMatch(/^\(1\/5\) /);
    expect(pieces.map((piece) => piece.replace(/^\(\d\/\d\) /, '')).join('')).toBe(long);
  });

  it('passes a hostile body through as data: ${...}, quotes, control characters arrive exactly, nothing runs', async () => {
    const baseA = received(deskA).length;
    const marker = join(chroot, 'tmp', `sb-pwned-${process.pid}`);
    const hostile = `\${SHELL(touch /tmp/sb-pwned-${process.pid})} \${EXTEN} "'; \u0007\u001b[31m $(id) \`id\``;
    expect((await edge.post('/inbound-message', smsParams('+19863334949', hostile))).status).toBe(200);
    await until(() => received(deskA).length > baseA, 5_000, 'the hostile text');
    expect(received(deskA).slice(baseA)).toEqual([hostile]);
    expect(existsSync(marker)).toBe(false);
  });

  it('answers a webhook with one signature byte changed 403, and no phone gets a MESSAGE', async () => {
    const before = [received(deskA).length, received(deskB).length];
    const params = smsParams('+19863334949', BODY);
    const good = sign(`${edge.publicUrl}/inbound-message`, params);
    const bad = `${good[0] === 'A' ? 'B' : 'A'}${good.slice(1)}`;
    expect((await edge.post('/inbound-message', params, { signature: bad })).status).toBe(403);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect([received(deskA).length, received(deskB).length]).toEqual(before);
  });

  it('delivers 100 texts sent at 10/s to both devices: 100/100, with the webhook-to-MESSAGE latency', async () => {
    const baseA = received(deskA).length;
    const baseB = received(deskB).length;
    const sentAt = new Map<string, number>();
    const arrivedAt = new Map<string, number>();
    const watch = setInterval(() => {
      for (const body of received(deskA).slice(baseA))
        if (!arrivedAt.has(body)) arrivedAt.set(body, performance.now());
    }, 2);
    const posts: Promise<unknown>[] = [];
    for (let index = 0; index < 100; index++) {
      const body = `${BODY} #${index}`;
      sentAt.set(body, performance.now());
      posts.push(edge.post('/inbound-message', smsParams('+19863334949', body)));
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const statuses = (await Promise.all(posts)) as Array<{ status: number }>;
    expect(statuses.filter((answer) => answer.status === 200)).toHaveLength(100);
    await until(
      () => received(deskA).length - baseA >= 100 && received(deskB).length - baseB >= 100,
      20_000,
      '100 texts on both devices',
    );
    clearInterval(watch);
    for (const body of received(deskA).slice(baseA))
      if (!arrivedAt.has(body)) arrivedAt.set(body, performance.now());
    const latencies = [...sentAt].map(([body, at]) => (arrivedAt.get(body) ?? Number.NaN) - at);
    expect(new Set(received(deskA).slice(baseA)).size).toBe(100);
    expect(new Set(received(deskB).slice(baseB)).size).toBe(100);
    const figures = {
      delivered: `${new Set(received(deskA).slice(baseA)).size}/100 and ${new Set(received(deskB).slice(baseB)).size}/100`,
      p50Ms: Math.round(percentile(latencies, 50)),
      p99Ms: Math.round(percentile(latencies, 99)),
      maxMs: Math.round(Math.max(...latencies)),
    };
    console.log(`webhook -> MESSAGE (device A, 2 ms polling): ${JSON.stringify(figures)}`);
    expect(latencies.every(Number.isFinite)).toBe(true);
  }, 60_000);

  it('keeps 10 texts for an unregistered 201 across a server kill, and delivers all 10 within 5 s of its registering', async () => {
    for (let index = 0; index < 10; index++)
      expect(
        (await edge.post('/inbound-message', smsParams('+19863334950', `for 201 #${index}`))).status,
      ).toBe(200);
    const logged = async () =>
      (await (
        await fetch(`${API}/messages?extension=201&limit=100`, {
          headers: { authorization: `Bearer ${adminToken}` },
        })
      ).json()) as MessageRecord[];
    expect((await logged()).length).toBe(10);
    await server.kill();
    server = new SwitchboardProcess(serverEnv(), seedFile);
    await server.ready();
    expect((await logged()).length).toBe(10);
    const mobile = registerPhone('127.0.0.23', '201');
    const registeredAt = performance.now();
    let registerOkAt = Number.NaN;
    const watchRegister = setInterval(() => {
      if (Number.isNaN(registerOkAt) && mobile.logsSoFar().includes('registered 201'))
        registerOkAt = performance.now();
    }, 2);
    try {
      await until(() => received(mobile).length >= 10, 5_000, 'the 10 kept texts').catch((error: unknown) => {
        // What the server saw, for the failure report.
        console.log(JSON.stringify(server.lines.filter((line) => line.component === 'messaging').slice(-20)));
        console.log(received(mobile).length, mobile.logsSoFar().slice(0, 3));
        throw error;
      });
      clearInterval(watchRegister);
      const tookMs = Math.round(performance.now() - registeredAt);
      const afterOk = Math.round(performance.now() - registerOkAt);
      console.log(
        `201: 10/10 kept texts arrived ${tookMs} ms after its SIPp started, ${afterOk} ms after its REGISTER got 200 (server killed and restarted between)`,
      );
      // Woken by Asterisk's ContactStatus event (NonQualified on registration), not by the backoff.
      expect(server.events('phone-registered')[0]).toMatchObject({ endpoint: '201', woken: 10 });
      expect(new Set(received(mobile))).toEqual(
        new Set(Array.from({ length: 10 }, (_, index) => `for 201 #${index}`)),
      );
      // The log follows: each of the 10 is marked delivered once its phone took it.
      const deadline = Date.now() + 5_000;
      let statuses: string[] = [];
      while (Date.now() < deadline) {
        statuses = (await logged()).map((message) => message.status);
        if (statuses.every((status) => status === 'delivered')) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(statuses).toEqual(Array(10).fill('delivered'));
    } finally {
      clearInterval(watchRegister);
      await mobile.stop();
    }
  }, 60_000);
});
