import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { RoutingConfigInput } from '../../agi-server/src/routing/model.js';
import type { MessageRecord } from '../../agi-server/src/store/message-types.js';
import {
  type MessagesApi,
  messagesApi,
  startTwilioCloud,
  type TwilioCloud,
} from '../support/twilio-cloud/index.js';
import { TEST_ACCOUNT_SID, TEST_AUTH_TOKEN } from '../support/twilio-signing.js';
import { LabAsterisk, labPhonePassword, RUN_DIR, Sipp } from './lab.js';
import { SwitchboardProcess } from './switchboard-process.js';

// Texts phones send, on real Asterisk 22: a SIPp phone at 100's address sends a SIP MESSAGE →
// Asterisk (res_pjsip_messaging, 100's message_context [sb-text-100]) → FastAGI `message` →
// Switchboard (its own process, SQLite) → either the phone outbox (AMI MessageSend to 101) or the
// `twilio` library → the emulated Twilio cloud on loopback (HTTP_PROXY + NODE_EXTRA_CA_CERTS) →
// signed status callbacks back to Switchboard's /message-status.

const chroot = inject('labChroot');
const adminToken = `sb_${'t'.repeat(40)}`;
const API_PORT = 18081;
const API = `http://127.0.0.1:${API_PORT}`;
const DID_100 = '+19863334950';
const UNLUCKY = '+15125550166';
const MOBILE_202 = '+15125550202';

const seed: RoutingConfigInput = {
  settings: { defaultCountry: 'US' },
  extensions: [
    { number: '100', name: 'Reception', outboundCallerId: DID_100 },
    { number: '101', name: 'Operator' },
    { number: '202', name: 'Texting away', mobile: MOBILE_202 },
  ],
  outbound: {
    ownedNumbers: ['+19863334949', DID_100],
    defaultCallerId: '+19863334949',
    trunks: [{ id: 'east', endpoint: 'twilio-east' }],
    policies: [{ id: 'default', allow: 'national', callsPerMinute: 30, maxConcurrent: 1 }],
  },
  routes: [{ id: 'sample', did: '+19863334949', plans: { open: [{ type: 'extension', extension: '100' }] } }],
  messaging: { smsNumbers: [DID_100] },
};

function managerSecret(): string {
  const secrets = JSON.parse(readFileSync(join(chroot, RUN_DIR.slice(1), 'secrets.json'), 'utf8')) as {
    managerSecret?: string;
  };
  if (!secrets.managerSecret) throw new Error('the lab settings render no manager');
  return secrets.managerSecret;
}

async function until(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const received = (phone: Sipp) =>
  phone
    .logsSoFar()
    .filter((line) => line.startsWith('MESSAGE '))
    .map((line) => line.slice('MESSAGE '.length));

async function logged(query: string): Promise<MessageRecord[]> {
  const response = await fetch(`${API}/messages?${query}`, {
    headers: { authorization: `Bearer ${adminToken}` },
  });
  return (await response.json()) as MessageRecord[];
}

describe('texts phones send, on real Asterisk 22', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sb-lab-texts-out-'));
  const seedFile = join(dir, 'routing.json');
  writeFileSync(seedFile, JSON.stringify(seed));
  let server: SwitchboardProcess;
  let cloud: TwilioCloud;
  let messages: MessagesApi;
  let phone101: Sipp;
  const senders: Sipp[] = [];
  const asterisk = new LabAsterisk(chroot);

  /** 100 (SIPp at 127.0.0.2, identified by its address) sends one MESSAGE, claiming to be 101. */
  async function send100(to: string, body: string): Promise<Sipp> {
    // One SIPp at a time on 100's address.
    await Promise.all(senders.map((sender) => sender.stop()));
    const phone = new Sipp(chroot, {
      scenario: 'message-send',
      outOfCallScenario: 'message-answer',
      address: '127.0.0.2',
      remote: '127.0.0.1:5060',
      keys: { to, body, claimed: '101' },
      auth: { user: '100', password: labPhonePassword(chroot, '100') },
      calls: 1,
      mediaPort: 12_200,
    });
    senders.push(phone);
    await until(
      () => phone.logsSoFar().includes(`accepted ${to}`),
      10_000,
      `Asterisk to accept the MESSAGE to ${to}`,
    );
    return phone;
  }

  beforeAll(async () => {
    messages = messagesApi({
      smsNumbers: [DID_100],
      fate: ({ to }) =>
        to === UNLUCKY ? { outcome: 'undelivered', errorCode: 30003 } : { outcome: 'delivered' },
    });
    cloud = await startTwilioCloud({
      credentials: { accountSid: TEST_ACCOUNT_SID, authToken: TEST_AUTH_TOKEN },
      apis: [messages.api],
    });
    server = new SwitchboardProcess(
      {
        ...cloud.env,
        SB_DB_PATH: join(dir, 'store.sqlite'),
        SB_AGI_PORT: '4573',
        SB_API_PORT: String(API_PORT),
        SB_ADMIN_TOKEN: adminToken,
        SB_AMI_SECRET: managerSecret(),
        SB_MESSAGE_FROM_HOST: '127.0.0.1',
        SB_TWILIO_ACCOUNT_SID: TEST_ACCOUNT_SID,
        SB_TWILIO_AUTH_TOKEN: TEST_AUTH_TOKEN,
        // No edge recovery sweep: this test counts the requests that reach the emulated cloud.
        SB_EDGE_SWEEP_MINUTES: '0',
        SB_PUBLIC_URL: API,
      },
      seedFile,
    );
    await server.ready();
    phone101 = new Sipp(chroot, { scenario: 'message-answer', address: '127.0.0.3', mediaPort: 12_300 });
  }, 90_000);

  afterAll(async () => {
    await Promise.all([...senders.map((phone) => phone.stop()), phone101?.stop()]);
    await server?.stop();
    await cloud?.close();
  });

  it('100 → 9 + a US number: one Messages API request from 100’s DID, E.164, body exact; the callback marks it delivered', async () => {
    const body = 'Ünï ✓ 👋';
    const before = cloud.requests.length;
    await send100('915125550123', body);
    await until(() => cloud.requests.length > before, 5_000, 'the Messages API request');
    await messages.settled();
    await new Promise((resolve) => setTimeout(resolve, 500));
    const requests = cloud.requests.slice(before);
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({
      host: 'api.twilio.com',
      method: 'POST',
      path: `/2010-04-01/Accounts/${TEST_ACCOUNT_SID}/Messages.json`,
      authenticated: true,
      status: 201,
    });
    expect(requests[0]?.form).toEqual({
      From: DID_100,
      To: '+15125550123',
      Body: body,
      StatusCallback: `${API}/message-status`,
    });
    expect(Buffer.from(String(requests[0]?.form.Body), 'utf8')).toEqual(Buffer.from(body, 'utf8'));
    expect(messages.callbacks.map((callback) => [callback.params.MessageStatus, callback.answer])).toEqual([
      ['sent', 200],
      ['delivered', 200],
    ]);
    const sid = messages.messages.at(-1)?.sid;
    await until(
      async () => (await logged('direction=outbound&number=%2B15125550123'))[0]?.status === 'delivered',
      5_000,
      'the log to say delivered',
    );
    const [row] = await logged('direction=outbound&number=%2B15125550123');
    // The sender is the endpoint Asterisk identified (100), not the From header's 101.
    expect(row).toMatchObject({
      sid,
      from: '100',
      to: '+15125550123',
      extensions: ['100'],
      body,
      bodyBytes: 14,
    });
  });

  it('100 → a blocked prefix (9 1900…): no API request, one MESSAGE back to 100 saying why', async () => {
    const before = cloud.requests.length;
    const phone = await send100('919005550123', 'premium?');
    await until(() => received(phone).length >= 1, 5_000, 'the refusal MESSAGE on 100');
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(cloud.requests.length).toBe(before);
    expect(received(phone)).toEqual([
      'Not sent to +19005550123: that number is blocked by your outbound policy.',
    ]);
    expect((await logged('direction=outbound&status=refused'))[0]).toMatchObject({
      from: '100',
      to: '+19005550123',
    });
  });

  it('100 → 101 is delivered by the PBX with no Twilio request', async () => {
    const before = cloud.requests.length;
    const body = 'local 👋 to 101';
    await send100('101', body);
    await until(() => received(phone101).includes(body), 5_000, '101 to get the text');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(cloud.requests.length).toBe(before);
    expect((await logged('direction=local&extension=101'))[0]).toMatchObject({
      from: '100',
      to: '101',
      body,
      status: 'delivered',
    });
  });

  it('a failed delivery (undelivered, 30003) comes back to 100 as a MESSAGE', async () => {
    const phone = await send100(`9${UNLUCKY.slice(1)}`, 'will not arrive');
    await until(() => received(phone).length >= 1, 5_000, 'the failure MESSAGE on 100');
    expect(received(phone)).toEqual([
      `Not delivered to ${UNLUCKY}: the carrier refused it (Twilio error 30003).`,
    ]);
    expect((await logged(`number=${encodeURIComponent(UNLUCKY)}&direction=outbound`))[0]).toMatchObject({
      status: 'undelivered',
      reason: 'Twilio: undelivered (error 30003)',
    });
  });

  it('100 → 202, which has no registered phone: forwarded once to 202’s mobile, from 100’s DID', async () => {
    const before = cloud.requests.length;
    await send100('202', 'are you in today?');
    await until(() => cloud.requests.length > before, 5_000, 'the forward to the mobile');
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    const requests = cloud.requests.slice(before);
    expect(requests.map((request) => request.form)).toEqual([
      {
        From: DID_100,
        To: MOBILE_202,
        Body: 'From 100: are you in today?',
        StatusCallback: `${API}/message-status`,
      },
    ]);
    // The phone delivery waits for 202 to register; the forward is its own row in the log.
    expect((await logged('direction=local&extension=202'))[0]).toMatchObject({
      to: '202',
      status: 'received',
    });
    expect((await logged(`number=${encodeURIComponent(MOBILE_202)}`))[0]).toMatchObject({
      direction: 'outbound',
      from: DID_100,
      status: 'delivered',
    });
  });

  it('a hostile body is data: ${SHELL(...)}, quotes, control characters reach 101 exactly, nothing runs', async () => {
    const marker = join(chroot, 'tmp', `sb-text-pwned-${process.pid}`);
    // `:)` then `:` is what Asterisk's expansion would read as a substring offset (docs/messaging.md).
    const hostile = `\${SHELL(touch /tmp/sb-text-pwned-${process.pid})} \${EXTEN} "'; \u0007\u001b[31m $(id) \`id\` ,|& :) at 5:30 100% %3A \${MESSAGE(body):2}`;
    await send100('101', hostile);
    await until(() => received(phone101).includes(hostile), 5_000, '101 to get the hostile text');
    expect(existsSync(marker)).toBe(false);
  });

  it('a body past Asterisk’s 1,023-byte limit: what the phone gets', async () => {
    const before = cloud.requests.length;
    const long = `${'x'.repeat(1_100)}`;
    const phone = await send100('915125550123', long);
    await until(() => received(phone).length >= 1, 5_000, 'a MESSAGE back on 100');
    console.log(`1,100-byte text from 100: the phone got back ${JSON.stringify(received(phone))}`);
    expect(received(phone)).toEqual(['Not sent: the message was empty.']);
    expect(cloud.requests.length).toBe(before);
    const contacts = await asterisk.cli('pjsip show endpoint 100');
    expect(contacts).toContain('sb-text-100');
  });
});
