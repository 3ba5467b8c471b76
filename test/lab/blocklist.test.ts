import { describe, expect, inject, it } from 'vitest';
import { readRoutingFile } from '../../agi-server/src/config.js';
import { callFromTwilio, errorsIn } from './calls.js';
import { useLabSwitchboard } from './lab-switchboard.js';

// Issue 19, blocklist, on real Asterisk 22: exact, prefix and withheld callers are refused busy
// before any phone rings, the row says so, and unblocking is live on the next call (no reload).
const chroot = inject('labChroot');
const seed = readRoutingFile(new URL('routing.lab.yaml', import.meta.url).pathname);
const lab = useLabSwitchboard(chroot, { seed });
const { api, latestCall } = lab;

/** A call to the sample route (extension 100 on 127.0.0.2) from `caller`; which phone lines it saw. */
async function callSample(caller: string, expectBusy: boolean) {
  const desk = lab.phone('127.0.0.2', 'phone-answer');
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
    expect(errorsIn(lab.started.log.lines)).toEqual([]);
  });
});
