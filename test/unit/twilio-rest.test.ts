import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutgoingText, SendOutcome } from '../../agi-server/src/twilio-rest/index.js';
import { isSignedByTwilio } from '../../agi-server/src/twilio-rest/index.js';
import {
  type MessagesApi,
  messagesApi,
  startTwilioCloud,
  type TwilioCloud,
} from '../support/twilio-cloud/index.js';
import { TEST_ACCOUNT_SID, TEST_AUTH_TOKEN } from '../support/twilio-signing.js';

/**
 * agi-server/src/twilio-rest through the real `twilio` library to the loopback emulator of
 * Twilio's cloud: the library's HTTP_PROXY path, TLS to api.twilio.com trusted through
 * NODE_EXTRA_CA_CERTS (read at process start, hence a child process), Basic auth, Twilio's JSON
 * and error shapes, and signed status callbacks checked with the library's validateRequest.
 */

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SENDER = '+15125550100';
const VOICE_ONLY = '+15125550111';
const UNLUCKY = '+15125550199';
const BUSY = '+15125550198';

let cloud: TwilioCloud;
let messages: MessagesApi;
let callbackServer: Server;
let callbackUrl: string;
const received: Array<{ signature: string | undefined; params: Record<string, string> }> = [];

function sendTexts(
  texts: readonly OutgoingText[],
  env: Record<string, string> = {},
): Promise<{ outcomes: SendOutcome[]; stderr: string }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'test/support/twilio-cloud/send-texts.ts', JSON.stringify(texts)],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        ...cloud.env,
        SB_TWILIO_ACCOUNT_SID: TEST_ACCOUNT_SID,
        SB_TWILIO_AUTH_TOKEN: TEST_AUTH_TOKEN,
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`send-texts exited ${code}: ${stderr}`));
      else resolve({ outcomes: JSON.parse(stdout) as SendOutcome[], stderr });
    });
  });
}

beforeAll(async () => {
  messages = messagesApi({
    smsNumbers: [SENDER],
    callbackDelayMs: 5,
    fate: ({ to }) =>
      to === UNLUCKY
        ? { outcome: 'undelivered', errorCode: 30003 }
        : to === BUSY
          ? { outcome: 'refused', status: 503, code: 20503, message: 'Service unavailable' }
          : { outcome: 'delivered' },
  });
  cloud = await startTwilioCloud({
    credentials: { accountSid: TEST_ACCOUNT_SID, authToken: TEST_AUTH_TOKEN },
    apis: [messages.api],
  });
  callbackServer = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    request.on('end', () => {
      received.push({
        signature: request.headers['x-twilio-signature'] as string | undefined,
        params: Object.fromEntries(new URLSearchParams(body)),
      });
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => callbackServer.listen(0, '127.0.0.1', resolve));
  callbackUrl = `http://127.0.0.1:${(callbackServer.address() as AddressInfo).port}/message-status`;
});

afterAll(async () => {
  await cloud?.close();
  await new Promise<void>((resolve) => (callbackServer ? callbackServer.close(() => resolve()) : resolve()));
});

describe('twilio-rest through the twilio library to the emulated cloud', () => {
  it('sends texts, gets Twilio’s answers sorted, and signed status callbacks follow', async () => {
    const body = 'Ünï ✓ 👋 ${SHELL(id)} "quoted" & more';
    const { outcomes } = await sendTexts([
      { from: SENDER, to: '+15125550123', body, statusCallback: callbackUrl },
      { from: SENDER, to: '+1555', body: 'x' },
      { from: VOICE_ONLY, to: '+15125550123', body: 'x' },
      { from: SENDER, to: UNLUCKY, body: 'unlucky', statusCallback: callbackUrl },
      { from: SENDER, to: BUSY, body: 'busy' },
    ]);
    const [ok, badTo, voiceOnly, unlucky, busy] = outcomes;
    expect(ok).toMatchObject({ kind: 'accepted', status: 'queued' });
    expect(ok?.kind === 'accepted' && ok.sid).toMatch(/^SM[0-9a-f]{32}$/);
    expect(badTo).toMatchObject({ kind: 'refused', httpStatus: 400, code: 21211 });
    expect(voiceOnly).toMatchObject({ kind: 'refused', httpStatus: 400, code: 21606 });
    expect(unlucky).toMatchObject({ kind: 'accepted' });
    expect(busy).toMatchObject({ kind: 'unreachable' });

    // Exactly the five requests, through the tunnel, authenticated, with the fields as sent.
    expect(cloud.refusedHosts).toEqual([]);
    expect(cloud.requests).toHaveLength(5);
    for (const request of cloud.requests) {
      expect(request.host).toBe('api.twilio.com');
      expect(request.method).toBe('POST');
      expect(request.path).toBe(`/2010-04-01/Accounts/${TEST_ACCOUNT_SID}/Messages.json`);
      expect(request.authenticated).toBe(true);
    }
    expect(cloud.requests[0]?.form).toEqual({
      From: SENDER,
      To: '+15125550123',
      Body: body,
      StatusCallback: callbackUrl,
    });
    expect(messages.messages[0]?.body).toBe(body);

    await messages.settled();
    const statuses = (sid: string) =>
      received
        .filter((callback) => callback.params.MessageSid === sid)
        .map((callback) => callback.params.MessageStatus);
    const okSid = ok?.kind === 'accepted' ? ok.sid : '';
    const unluckySid = unlucky?.kind === 'accepted' ? unlucky.sid : '';
    expect(statuses(okSid)).toEqual(['sent', 'delivered']);
    expect(statuses(unluckySid)).toEqual(['sent', 'undelivered']);
    expect(
      received.find((callback) => callback.params.MessageStatus === 'undelivered')?.params.ErrorCode,
    ).toBe('30003');
    for (const callback of received) {
      expect(isSignedByTwilio(TEST_AUTH_TOKEN, callback.signature, callbackUrl, callback.params)).toBe(true);
      // Another token, another URL (a proxy's view), a changed field: refused.
      expect(
        isSignedByTwilio(
          'another-auth-token-0123456789abcd',
          callback.signature,
          callbackUrl,
          callback.params,
        ),
      ).toBe(false);
      expect(isSignedByTwilio(TEST_AUTH_TOKEN, callback.signature, `${callbackUrl}x`, callback.params)).toBe(
        false,
      );
      expect(
        isSignedByTwilio(TEST_AUTH_TOKEN, callback.signature, callbackUrl, {
          ...callback.params,
          MessageStatus: 'read',
        }),
      ).toBe(false);
    }
    expect(isSignedByTwilio(TEST_AUTH_TOKEN, undefined, callbackUrl, {})).toBe(false);
  });

  it('a wrong Auth Token is refused by the cloud (401, 20003) and nothing is sent', async () => {
    const before = messages.messages.length;
    const { outcomes } = await sendTexts([{ from: SENDER, to: '+15125550123', body: 'x' }], {
      SB_TWILIO_AUTH_TOKEN: 'a-wrong-auth-token-0123456789abcd',
    });
    expect(outcomes).toEqual([{ kind: 'refused', httpStatus: 401, code: 20003, message: 'Authenticate' }]);
    expect(messages.messages.length).toBe(before);
    expect(cloud.requests.at(-1)?.authenticated).toBe(false);
  });

  it('an unreachable cloud (proxy down) or an untrusted certificate is "unreachable", to retry later', async () => {
    const down = await sendTexts([{ from: SENDER, to: '+15125550123', body: 'x' }], {
      HTTP_PROXY: 'http://127.0.0.1:1',
    });
    expect(down.outcomes[0]).toMatchObject({
      kind: 'unreachable',
      reason: expect.stringMatching(/ECONNREFUSED/),
    });
    const before = cloud.requests.length;
    const untrusted = await sendTexts([{ from: SENDER, to: '+15125550123', body: 'x' }], {
      NODE_EXTRA_CA_CERTS: '',
    });
    expect(untrusted.outcomes[0]).toMatchObject({
      kind: 'unreachable',
      reason: expect.stringMatching(/certificate/i),
    });
    expect(cloud.requests.length).toBe(before);
  });
});
