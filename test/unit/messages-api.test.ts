import { execFile } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MessageRecord } from '../../agi-server/src/store/message-types.js';
import { type ForwardedMessage, signForwardedMessage } from '../../contract/src/message-forward.js';
import { officeConfig } from '../support/routing-fixtures.js';
import { startSwitchboard } from '../support/switchboard.js';

const secret = 'm'.repeat(40);
const now = new Date('2026-12-03T16:00:00Z');
let started: Awaited<ReturnType<typeof startSwitchboard>>;
let ticks = 0;

beforeAll(async () => {
  started = await startSwitchboard({
    seed: {
      ...officeConfig,
      messaging: { targets: [{ did: '+19863334950', extensions: ['102'] }] },
    },
    headerSecret: secret,
    adminToken: `sb_${'t'.repeat(40)}`,
    // Each reading a millisecond later: texts stored one after another keep their order in the log.
    clock: () => new Date(now.getTime() + ticks++),
  });
});
afterAll(async () => started.switchboard.close(0));

let counter = 0;
function text(change: Partial<ForwardedMessage> = {}): ForwardedMessage {
  counter++;
  return {
    messageSid: `SM${counter.toString(16).padStart(32, '0')}`,
    accountSid: `AC${'2'.repeat(32)}`,
    from: '+15125550199',
    to: '+19863334950',
    body: 'Ünï ✓ 👋',
    media: [],
    ...change,
  };
}

async function forward(
  message: ForwardedMessage,
  headers: Record<string, string> = signForwardedMessage(message, secret, now),
) {
  const response = await fetch(`${started.apiUrl}/inbound-message`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(message),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function messages(query = '') {
  const response = await fetch(`${started.apiUrl}/messages${query}`, {
    headers: { authorization: `Bearer ${started.token}` },
  });
  expect(response.status).toBe(200);
  return (await response.json()) as MessageRecord[];
}

describe('POST /inbound-message (from the Function)', () => {
  it('stores a signed text with a delivery per endpoint before answering 200', async () => {
    const message = text();
    const answer = await forward(message);
    expect(answer).toMatchObject({ status: 200, body: { outcome: 'stored', deliveries: 2 } });
    const [logged] = await messages(`?number=${encodeURIComponent('+15125550199')}&limit=1`);
    expect(logged).toMatchObject({
      sid: message.messageSid,
      body: 'Ünï ✓ 👋',
      bodyBytes: 14,
      extensions: ['102'],
    });
    const deliveries = await started.switchboard.store.deliveriesOf(String(logged?.id));
    expect(deliveries.map((row) => [row.kind, row.target, row.state])).toEqual([
      ['phone', '102', 'queued'],
      ['phone', '102-mobile', 'queued'],
    ]);
  });

  it('refuses a changed byte, a replay and an unsigned request with 403, storing nothing', async () => {
    const before = (await messages()).length;
    const message = text();
    const headers = signForwardedMessage(message, secret, now);
    expect((await forward({ ...message, body: 'Ünï ✓ 👊' }, headers)).status).toBe(403);
    expect((await forward(message, {})).status).toBe(403);
    expect((await forward(message, headers)).status).toBe(200);
    // The same signed request again, and the same MessageSid signed anew: both replays.
    expect(await forward(message, headers)).toMatchObject({
      status: 403,
      body: { error: expect.stringContaining('replayed') },
    });
    expect(
      (await forward(message, signForwardedMessage(message, secret, new Date(now.getTime() + 1_000)))).status,
    ).toBe(403);
    expect((await messages()).length).toBe(before + 1);
  });

  it('logs a text for an unknown DID, answers 200 so Twilio does not retry, delivers nothing', async () => {
    const message = text({ to: '+15125550000' });
    expect(await forward(message)).toMatchObject({ status: 200, body: { outcome: 'unknown-did' } });
    const [logged] = await messages('?status=unknown-did');
    expect(logged).toMatchObject({ sid: message.messageSid, extensions: [] });
    expect(await started.switchboard.store.deliveriesOf(String(logged?.id))).toEqual([]);
  });

  it('needs the bearer token for the log', async () => {
    expect((await fetch(`${started.apiUrl}/messages`)).status).toBe(401);
    expect((await messages('?direction=outbound')).length).toBe(0);
    expect((await messages('?extension=102&direction=inbound')).length).toBeGreaterThan(0);
  });
});

describe('POST /messages/explain', () => {
  const explain = async (body: unknown) => {
    const response = await fetch(`${started.apiUrl}/messages/explain`, {
      method: 'POST',
      headers: { authorization: `Bearer ${started.token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  it('explains both directions with the version in use, and refuses a bad body', async () => {
    expect(await explain({ did: '+19863334950', from: '+15125550199' })).toMatchObject({
      status: 200,
      body: { kind: 'deliver', because: 'messaging.targets sends texts to +19863334950 to 102' },
    });
    expect(await explain({ extension: '100', to: '919005551234' })).toMatchObject({
      status: 200,
      body: { kind: 'refused', reason: 'blocked-prefix' },
    });
    expect((await explain({ extension: '100' })).status).toBe(400);
  });
});

describe('switchboard messages tail', () => {
  const cli = (...args: string[]) =>
    new Promise<{ code: number; stdout: string }>((resolve) => {
      execFile(
        process.execPath,
        ['--import', 'tsx', 'agi-server/src/cli/main.ts', ...args],
        { env: { ...process.env, SWITCHBOARD_URL: started.apiUrl, SWITCHBOARD_TOKEN: started.token } },
        (error, stdout) => resolve({ code: error ? Number(error.code) : 0, stdout }),
      );
    });

  it('prints the latest texts of an extension as a table, newest last', async () => {
    await forward(text({ body: 'first\nline two' }));
    await forward(text({ body: 'second' }));
    const { code, stdout } = await cli('messages', 'tail', '--ext', '102', '-n', '2');
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^WHEN\s+DIR\s+FROM\s+TO\s+EXT\s+BYTES\s+STATUS\s+TEXT$/);
    expect(lines).toHaveLength(3);
    expect(lines[1]).toMatch(
      /inbound\s+\+15125550199\s+\+19863334950\s+102\s+14\s+received\s+first line two$/,
    );
    expect(lines[2]).toMatch(/\s6\s+received\s+second$/);
  });
});
