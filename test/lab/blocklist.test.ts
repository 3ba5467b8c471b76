import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { readRoutingFile } from '../../agi-server/src/config.js';
import { startSwitchboard } from '../support/switchboard.js';
import { callFromTwilio, errorsIn } from './calls.js';
import { type Sipp, startPhone } from './lab.js';

// Issue 19, blocklist, on real Asterisk 22: exact, prefix and withheld callers are refused busy
// before any phone rings, the row says so, and unblocking is live on the next call (no reload).
const chroot = inject('labChroot');
const seed = readRoutingFile(new URL('routing.lab.yaml', import.meta.url).pathname);
const TOKEN = `sb_${'lab'.repeat(12)}`;
const clock = () => new Date('2026-11-23T16:00:00Z');
let started: Awaited<ReturnType<typeof startSwitchboard>>;
let phones: Sipp[] = [];

async function api(method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  const response = await fetch(`${started.apiUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${TOKEN}`,
      'x-switchboard-author': 'lab-test',
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, json: await response.json() };
}

async function latestCall() {
  await started.switchboard.callLog.flush();
  const [call] = await started.switchboard.store.listCalls({ limit: 1 });
  return call;
}

beforeAll(async () => {
  started = await startSwitchboard({ seed, agiPort: 4573, clock, adminToken: TOKEN });
});
afterAll(async () => {
  await started.switchboard.close(1_000);
});
afterEach(async () => {
  await Promise.all(phones.map((sipp) => sipp.stop()));
  phones = [];
});

/** A call to the sample route (extension 100 on 127.0.0.2) from `caller`; which phone lines it saw. */
async function callSample(caller: string, expectBusy: boolean) {
  const desk = startPhone(chroot, '127.0.0.2', 'phone-answer');
  phones.push(desk);
  const call = await callFromTwilio(chroot, {
    did: '+19863334949',
    caller,
    ...(expectBusy ? { scenario: 'twilio-rejected-486' } : {}),
  });
  expect(call.exitCode, call.stderr).toBe(0);
  return (await desk.stop()).logs;
}

describe('blocklist on real Asterisk 22', () => {
  it('refuses exact, prefix and anonymous callers busy; no phone rings; row rejected, blocked', async () => {
    for (const [caller, body] of [
      ['+15551230099', { note: 'lab exact' }],
      ['+1555777*', {}],
      ['anonymous', { routes: ['sample'] }],
    ] as const) {
      expect((await api('PUT', `/blocklist/entries/${encodeURIComponent(caller)}`, body)).status).toBe(200);
    }
    for (const [caller, entry] of [
      ['+15551230099', 'blocked: +15551230099 (exact) lab exact'],
      ['+15557770001', 'blocked: +1555777* (prefix)'],
      ['anonymous', 'blocked: anonymous (withheld caller)'],
    ] as const) {
      const seen = await callSample(caller, true);
      expect(seen, `${caller}: the desk phone must not ring`).toEqual([]);
      await expect.poll(async () => (await latestCall())?.disposition, { timeout: 5_000 }).toBe('rejected');
      expect(await latestCall()).toMatchObject({ routeId: 'sample', note: `${entry}: busy`, steps: [] });
    }
  });

  it('unblocking is live on the next call', async () => {
    expect((await api('DELETE', `/blocklist/entries/${encodeURIComponent('+15551230099')}`)).status).toBe(
      200,
    );
    const seen = await callSample('+15551230099', false);
    expect(seen.filter((line) => line.includes('answered user=100'))).toHaveLength(1);
    await expect.poll(async () => (await latestCall())?.disposition, { timeout: 5_000 }).toBe('answered');
    // A caller who is not blocked never was: the prefix entry leaves its neighbours alone.
    expect((await callSample('+15557780001', false)).length).toBe(1);
    expect(errorsIn(started.log.lines)).toEqual([]);
  });
});
