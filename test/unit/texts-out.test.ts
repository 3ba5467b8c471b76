import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MessageRecord } from '../../agi-server/src/store/message-types.js';
import { FakeAsterisk, recordedReply } from '../support/fake-asterisk.js';
import { officeConfig } from '../support/routing-fixtures.js';
import { startSwitchboard } from '../support/switchboard.js';
import { sign, TEST_AUTH_TOKEN } from '../support/twilio-signing.js';

/**
 * Texts phones send (the `message` AGI script and POST /messages) and Twilio's status callbacks
 * (POST /message-status), in process. No Twilio account SID is set, so no request ever leaves:
 * texts to numbers wait in the outbox as `sms` rows (the send itself is proven against the emulated
 * cloud in test/unit/twilio-rest.test.ts and test/lab/texts-out.test.ts).
 */

const PUBLIC_URL = 'https://switchboard.test.invalid';
const DID_100 = '+19863334950';
const now = new Date('2026-12-03T16:00:00Z');
let ticks = 0;
let started: Awaited<ReturnType<typeof startSwitchboard>>;

beforeAll(async () => {
  started = await startSwitchboard({
    seed: {
      ...officeConfig,
      extensions: officeConfig.extensions?.map((extension) =>
        extension.number === '100' ? { ...extension, outboundCallerId: DID_100 } : extension,
      ),
      outbound: {
        ...officeConfig.outbound,
        ownedNumbers: [...new Set([...(officeConfig.outbound?.ownedNumbers ?? []), DID_100])],
        policies: [{ id: 'default', allow: 'national', callsPerMinute: 6, maxConcurrent: 1 }],
      },
      messaging: { smsNumbers: [DID_100] },
    },
    adminToken: `sb_${'k'.repeat(40)}`,
    clock: () => new Date(now.getTime() + ticks++),
    env: { SB_TWILIO_AUTH_TOKEN: TEST_AUTH_TOKEN, SB_PUBLIC_URL: PUBLIC_URL },
  });
});
afterAll(async () => started.switchboard.close(0));

const auth = () => ({ authorization: `Bearer ${started.token}` });

async function log(query: string): Promise<MessageRecord[]> {
  const response = await fetch(`${started.apiUrl}/messages?${query}`, { headers: auth() });
  return (await response.json()) as MessageRecord[];
}

/** The `message` script as [sb-text] runs it: endpoint and to in the query, the body base64 in SB_TEXT_B64. */
async function phoneSends(endpoint: string, to: string, encodedBody: string): Promise<string[]> {
  const asterisk = await FakeAsterisk.start(
    started.agiPort,
    `message?endpoint=${encodeURIComponent(endpoint)}&to=${encodeURIComponent(to)}`,
  );
  return asterisk.serve((command) =>
    command === 'GET FULL VARIABLE "${SB_TEXT_B64}"'
      ? `200 result=1 (${encodedBody})`
      : recordedReply(command),
  );
}

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

describe('the message script (a phone sent a text)', () => {
  it('stores a text to a number as an sms outbox row from the extension’s own number, sender = endpoint', async () => {
    const commands = await phoneSends('100', '915125550123', b64('Ünï ✓ 👋 ${SHELL(id)}'));
    expect(commands[0]).toBe('GET FULL VARIABLE "${SB_TEXT_B64}"');
    expect(commands.at(-1)).toBe('SET VARIABLE "SB_ACTION" "text"');
    const [row] = await log('direction=outbound&number=%2B15125550123');
    expect(row).toMatchObject({
      from: '100',
      to: '+15125550123',
      body: 'Ünï ✓ 👋 ${SHELL(id)}',
      status: 'queued',
    });
    const deliveries = await started.switchboard.store.deliveriesOf(String(row?.id));
    expect(deliveries).toMatchObject([
      { kind: 'sms', target: '+15125550123', payload: { from: DID_100, replyTo: '100' }, state: 'queued' },
    ]);
  });

  it('delivers 100 → 101 through the phone outbox, with no sms row', async () => {
    await phoneSends('100', '101', b64('hi 101'));
    const [row] = await log('direction=local&extension=101');
    expect(row).toMatchObject({ from: '100', to: '101', body: 'hi 101' });
    const deliveries = await started.switchboard.store.deliveriesOf(String(row?.id));
    expect(deliveries.map((delivery) => [delivery.kind, delivery.target, delivery.payload.from])).toEqual([
      ['phone', '101', '100'],
    ]);
  });

  it('refuses a blocked prefix: stored refused, no sms row, one notice MESSAGE queued for the sending endpoint', async () => {
    await phoneSends('100', '919005550123', b64('premium?'));
    const [refused] = await log('status=refused&number=%2B19005550123');
    expect(refused).toMatchObject({ from: '100', direction: 'outbound' });
    expect(await started.switchboard.store.deliveriesOf(String(refused?.id))).toEqual([]);
    const [notice] = await log('direction=local&extension=100&limit=1');
    expect(notice).toMatchObject({
      from: '+19005550123',
      to: '100',
      body: 'Not sent to +19005550123: that number is blocked by your outbound policy.',
      reason: `notice about ${refused?.id}`,
    });
    const deliveries = await started.switchboard.store.deliveriesOf(String(notice?.id));
    expect(deliveries.map((delivery) => [delivery.kind, delivery.target])).toEqual([['phone', '100']]);
  });

  it('takes and drops a body that is not base64 of UTF-8: nothing stored', async () => {
    const before = (await log('limit=1000')).length;
    for (const bad of ['not base64!', b64('x').slice(0, -1), Buffer.from([0xff, 0xfe]).toString('base64')]) {
      const commands = await phoneSends('100', '101', bad);
      expect(commands.at(-1)).toBe('SET VARIABLE "SB_ACTION" "text"');
    }
    expect((await log('limit=1000')).length).toBe(before);
  });
});

describe('POST /messages (send as an extension)', () => {
  const send = (body: unknown) =>
    fetch(`${started.apiUrl}/messages`, {
      method: 'POST',
      headers: { ...auth(), 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('needs the token, and applies the same policy (422 with why, no notice)', async () => {
    expect(
      (
        await fetch(`${started.apiUrl}/messages`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ extension: '100', to: '101', body: 'x' }),
        })
      ).status,
    ).toBe(401);
    const refused = await send({ extension: '100', to: '+19005550199', body: 'x' });
    expect(refused.status).toBe(422);
    expect(await refused.json()).toMatchObject({ outcome: 'refused', reason: 'blocked-prefix' });
    expect((await log('direction=local&extension=100&limit=1'))[0]?.body).not.toContain('+19005550199');
    expect((await send({ extension: '999', to: '101', body: 'x' })).status).toBe(404);
    expect((await send({ extension: '100', to: '101', body: '' })).status).toBe(400);
  });

  it('counts texts in the extension’s per-minute limit (callsPerMinute 6, shared with calls)', async () => {
    const answers: number[] = [];
    for (let index = 0; index < 8; index++)
      answers.push(
        (await send({ extension: '100', to: `+1512555${String(1000 + index)}`, body: `n${index}` })).status,
      );
    // One text to a number was admitted this minute above (the refused ones never reach the limit).
    expect(answers.filter((status) => status === 202).length).toBe(5);
    const last = await send({ extension: '100', to: '+15125559999', body: 'again' });
    expect(await last.json()).toMatchObject({ outcome: 'refused', reason: 'calls-per-minute' });
    // Texts to extensions are not counted.
    expect((await send({ extension: '100', to: '101', body: 'still fine' })).status).toBe(202);
  });
});

describe('POST /message-status (Twilio’s status callbacks)', () => {
  const url = `${PUBLIC_URL}/message-status`;
  async function callback(params: Record<string, string>, signature = sign(url, params)) {
    return fetch(`${started.apiUrl}/message-status`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
      body: new URLSearchParams(params).toString(),
    });
  }
  const sid = `SM${'5'.repeat(32)}`;

  beforeAll(async () => {
    // A sent text as the worker leaves it once Twilio took it.
    const [row] = await log('direction=outbound&number=%2B15125550123');
    const [delivery] = await started.switchboard.store.deliveriesOf(String(row?.id));
    await started.switchboard.store.settleDelivery(
      Number(delivery?.id),
      { state: 'sent' },
      now.toISOString(),
      {
        status: 'sent',
        sid,
      },
    );
  });

  it('refuses a forged or re-pointed callback with 403 and changes nothing', async () => {
    const params = { MessageSid: sid, MessageStatus: 'delivered', AccountSid: `AC${'0'.repeat(31)}1` };
    const good = sign(url, params);
    expect((await callback(params, `${good[0] === 'A' ? 'B' : 'A'}${good.slice(1)}`)).status).toBe(403);
    expect((await callback(params, sign('http://127.0.0.1/message-status', params))).status).toBe(403);
    expect((await callback(params, sign(url, params, 'another-auth-token-0123456789abc'))).status).toBe(403);
    expect((await callback({ ...params, MessageStatus: 'failed' }, good)).status).toBe(403);
    expect((await log('direction=outbound&number=%2B15125550123'))[0]?.status).toBe('sent');
  });

  it('marks the text delivered, keeps it delivered after a late `sent`', async () => {
    expect((await callback({ MessageSid: sid, MessageStatus: 'delivered' })).status).toBe(200);
    expect((await callback({ MessageSid: sid, MessageStatus: 'sent' })).status).toBe(200);
    expect((await log('direction=outbound&number=%2B15125550123'))[0]).toMatchObject({
      sid,
      status: 'delivered',
    });
  });

  it('on undelivered: the reason is logged and the sending phone is told, once', async () => {
    const before = (await log('direction=local&extension=100&limit=1000')).length;
    await callback({ MessageSid: sid, MessageStatus: 'undelivered', ErrorCode: '30003' });
    await callback({ MessageSid: sid, MessageStatus: 'undelivered', ErrorCode: '30003' });
    expect((await log('direction=outbound&number=%2B15125550123'))[0]).toMatchObject({
      status: 'undelivered',
      reason: 'Twilio: undelivered (error 30003)',
    });
    const notices = await log('direction=local&extension=100&limit=1000');
    expect(notices.length).toBe(before + 1);
    expect(notices[0]?.body).toBe(
      'Not delivered to +15125550123: the carrier refused it (Twilio error 30003).',
    );
  });

  it('answers 200 for an SID it does not have (after a short wait), so Twilio stops', async () => {
    const response = await callback({ MessageSid: `SM${'6'.repeat(32)}`, MessageStatus: 'delivered' });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ result: 'unknown-sid' });
  });
});
