import { describe, expect, inject, it } from 'vitest';
import { readRoutingFile } from '../../agi-server/src/config.js';
import { callFromTwilio, errorsIn } from './calls.js';
import { LabAsterisk } from './lab.js';
import { MONDAY_10_CHICAGO, useLabSwitchboard } from './lab-switchboard.js';

// Issue 3 on real Asterisk: ring groups, step plans, live route changes without a reload,
// the call log against what SIPp saw, and schedules under an injected clock.
const chroot = inject('labChroot');
const seed = readRoutingFile(new URL('routing.lab.yaml', import.meta.url).pathname);
const asterisk = new LabAsterisk(chroot);
// The injected clock (tests own their clock): Monday 10:00 in Chicago, office open, ticking.
const lab = useLabSwitchboard(chroot, { seed, at: MONDAY_10_CHICAGO });
const { api, latestCall, phone, setNow } = lab;

describe('routing on real Asterisk 22', () => {
  it('rings both phones of a ring group; the one that answers takes the call', async () => {
    const ringing = phone('127.0.0.2', 'phone-ring');
    const answering = phone('127.0.0.3', 'phone-answer');
    const call = await callFromTwilio(chroot, { did: '+19863334950', durationMs: 500 });
    expect(call.exitCode, call.stderr).toBe(0);
    const [rang, answered] = await Promise.all([ringing.stop(), answering.stop()]);
    expect(rang.logs.filter((line) => line.includes('rang user=100'))).toHaveLength(1);
    expect(answered.logs.filter((line) => line.includes('answered user=101'))).toHaveLength(1);
    await expect.poll(async () => (await latestCall())?.disposition, { timeout: 5_000 }).toBe('answered');
    expect(await latestCall()).toMatchObject({
      routeId: 'group',
      answeredBy: '101',
      steps: [{ attempt: 0, targets: ['100', '101'] }],
    });
  });

  it('moves to step 2 when step 1 is not answered, and logs the call as SIPp saw it', async () => {
    const ringing = phone('127.0.0.2', 'phone-ring');
    const answering = phone('127.0.0.3', 'phone-answer');
    const started_ = Date.now();
    const call = await callFromTwilio(chroot, { did: '+19863334951', durationMs: 2_000 });
    const wall = Date.now() - started_;
    expect(call.exitCode, call.stderr).toBe(0);
    const [rang, answered] = await Promise.all([ringing.stop(), answering.stop()]);
    expect(rang.logs.filter((line) => line.includes('rang user=100'))).toHaveLength(1);
    expect(answered.logs.filter((line) => line.includes('answered user=101'))).toHaveLength(1);

    await expect.poll(async () => (await latestCall())?.disposition, { timeout: 5_000 }).toBe('answered');
    const row = await latestCall();
    expect(row).toMatchObject({
      routeId: 'steps',
      answeredBy: '101',
      steps: [
        { attempt: 0, targets: ['100'], outcome: 'no-answer' },
        { attempt: 1, targets: ['101'] },
      ],
    });
    // Durations against SIPp: step 1 rings its 2 s timeout before 101 answers; the caller holds
    // the answered call for 2 s (-d 2000) before its BYE. Tolerance: 0.6 s.
    const ringMs = Date.parse(row?.answeredAt ?? '') - Date.parse(row?.startedAt ?? '');
    const talkMs = Date.parse(row?.endedAt ?? '') - Date.parse(row?.answeredAt ?? '');
    expect(Math.abs(ringMs - 2_000)).toBeLessThan(600);
    expect(Math.abs(talkMs - 2_000)).toBeLessThan(600);
    expect(ringMs + talkMs).toBeLessThanOrEqual(wall + 100);
  });

  it('follows a route changed through the admin API on the next call, with no Asterisk reload', async () => {
    // "Last reload: N" is seconds since the last (re)load: without a reload it grows at least
    // by the time that passed; a reload would start it again near 0.
    const sinceReload = async () =>
      Number((await asterisk.cli('core show uptime seconds')).match(/Last reload: (\d+)/)?.[1]);
    const reloadBefore = await sinceReload();
    const startedAt = Date.now();
    expect(reloadBefore).toBeGreaterThanOrEqual(0);

    let at100 = phone('127.0.0.2', 'phone-answer');
    let at101 = phone('127.0.0.3', 'phone-answer');
    expect((await callFromTwilio(chroot, { did: '+19863334949' })).exitCode).toBe(0);
    expect((await at100.stop()).logs).toHaveLength(1);
    expect((await at101.stop()).logs).toHaveLength(0);

    const put = await api('PUT', '/routes/sample', {
      did: '+19863334949',
      plans: { open: [{ type: 'extension', extension: '101', timeoutSeconds: 30 }] },
    });
    expect(put.status).toBe(200);

    at100 = phone('127.0.0.2', 'phone-answer');
    at101 = phone('127.0.0.3', 'phone-answer');
    expect((await callFromTwilio(chroot, { did: '+19863334949' })).exitCode).toBe(0);
    expect((await at100.stop()).logs).toHaveLength(0);
    expect((await at101.stop()).logs.filter((line) => line.includes('answered user=101'))).toHaveLength(1);

    const elapsedSeconds = Math.floor((Date.now() - startedAt) / 1000);
    expect(await sinceReload()).toBeGreaterThanOrEqual(reloadBefore + elapsedSeconds);
    const history = await api('GET', '/history?limit=1');
    expect(history.json).toMatchObject([{ author: 'lab-test', summary: 'put route sample' }]);
    // Back to the sample document for the tests after this one.
    expect((await api('POST', '/rollback', {})).status).toBe(200);
  });

  it('switches plans with the schedule (injected clock)', async () => {
    const ringBoth = async () => {
      const at100 = phone('127.0.0.2', 'phone-answer');
      const at101 = phone('127.0.0.3', 'phone-answer');
      expect((await callFromTwilio(chroot, { did: '+19863334952' })).exitCode).toBe(0);
      const [a, b] = await Promise.all([at100.stop(), at101.stop()]);
      return { to100: a.logs.length, to101: b.logs.length };
    };
    setNow('2026-11-23T16:00:00Z'); // Monday 10:00 Chicago
    expect(await ringBoth()).toEqual({ to100: 1, to101: 0 });
    setNow('2026-11-24T02:00:00Z'); // Monday 20:00 Chicago
    expect(await ringBoth()).toEqual({ to100: 0, to101: 1 });
    expect(errorsIn(lab.started.log.lines)).toEqual([]);
  });
});
