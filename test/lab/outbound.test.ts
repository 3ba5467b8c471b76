import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { readRoutingFile } from '../../agi-server/src/config.js';
import { startSwitchboard } from '../support/switchboard.js';
import { callFromTwilio } from './calls.js';
import { LabAsterisk, labPhonePassword, Sipp, type SippResult, startPhone } from './lab.js';

// Issue 5 on real Asterisk: SIPp as phone 100 (127.0.0.2) and 101 (127.0.0.3) dialling, SIPp as
// "Twilio termination" on 127.0.0.5 (trunk east) and 127.0.0.6 (trunk west).
const chroot = inject('labChroot');
const asterisk = new LabAsterisk(chroot);
let started: Awaited<ReturnType<typeof startSwitchboard>>;
let peers: Sipp[] = [];

beforeAll(async () => {
  const seed = readRoutingFile(new URL('routing.lab.yaml', import.meta.url).pathname);
  started = await startSwitchboard({ seed, agiPort: 4573, withoutApi: true });
});
afterAll(async () => {
  await started?.switchboard.close(1_000);
});
afterEach(async () => {
  await Promise.all(peers.map((peer) => peer.stop()));
  peers = [];
});

function termination(
  address: '127.0.0.5' | '127.0.0.6',
  scenario: 'trunk-answer' | 'trunk-503' = 'trunk-answer',
): Sipp {
  const peer = new Sipp(chroot, { scenario, address, mediaPort: address === '127.0.0.5' ? 13_000 : 13_200 });
  peers.push(peer);
  return peer;
}

const PHONES = { '100': '127.0.0.2', '101': '127.0.0.3' } as const;

async function dial(
  extension: '100' | '101',
  dialled: string,
  scenario: 'phone-dial' | 'phone-dial-denied' = 'phone-dial',
  durationMs = 200,
): Promise<SippResult> {
  // One call at a time per extension here: wait until the previous call's hangup released it.
  await expect
    .poll(() => started.switchboard.outboundLimiter.inProgress(extension), { timeout: 5_000 })
    .toBe(0);
  return new Sipp(chroot, {
    scenario,
    address: PHONES[extension],
    port: 5090,
    mediaPort: 14_000,
    remote: '127.0.0.1:5060',
    service: dialled,
    keys: { caller: extension },
    auth: { user: extension, password: labPhonePassword(chroot, extension) },
    calls: 1,
    durationMs,
    timeoutSeconds: 20,
  }).done;
}

const invites = (result: SippResult) => result.logs.filter((line) => line.startsWith('invite '));

describe('outbound calls through the Twilio trunks', () => {
  it('loads the rendered config: phones and trunks listed, no errors at start', async () => {
    const endpoints = await asterisk.cli('pjsip show endpoints');
    for (const name of ['100/100', '101/101', 'twilio ', 'twilio-east', 'twilio-west'])
      expect(endpoints).toContain(` Endpoint:  ${name}`);
    const boot = asterisk.log().split('Asterisk Ready')[0] ?? '';
    expect(boot.split('\n').filter((line) => /\] (ERROR|WARNING)\[/.test(line))).toEqual([]);
  });

  it.each(['92125551234', '+12125551234', '0012125551234', '12125551234', '2125551234', '901112125551234'])(
    'dialled as %s: E.164 in the Request-URI, the owned DID in From and P-Asserted-Identity',
    async (dialled) => {
      const east = termination('127.0.0.5');
      const west = termination('127.0.0.6');
      const call = await dial('100', dialled);
      expect(call.exitCode, call.stderr).toBe(0);
      expect(invites(await east.stop())).toEqual([
        'invite ruri=sip:+12125551234@switchboard-lab.pstn.twilio.com from=+19863334950 pai=+19863334950',
      ]);
      expect(invites(await west.stop())).toEqual([]);
    },
  );

  it('uses the default owned caller ID for an extension without its own DID (emergency from an internal-only phone)', async () => {
    const east = termination('127.0.0.5');
    const call = await dial('101', '911');
    expect(call.exitCode, call.stderr).toBe(0);
    expect(invites(await east.stop())).toEqual([
      'invite ruri=sip:911@switchboard-lab.pstn.twilio.com from=+19863334949 pai=+19863334949',
    ]);
  });

  it('rings an extension number internally; nothing reaches the trunks', async () => {
    const east = termination('127.0.0.5');
    const phone101 = startPhone(chroot, '127.0.0.3');
    peers.push(phone101);
    const call = await dial('100', '101');
    expect(call.exitCode, call.stderr).toBe(0);
    expect((await phone101.stop()).logs.filter((line) => line.includes('answered user=101'))).toHaveLength(1);
    expect(invites(await east.stop())).toEqual([]);
  });

  it.each([
    ['100', '919005550100', 'blocked-prefix'],
    ['100', '918765551234', 'blocked-prefix'],
    ['100', '9011442071838750', 'not-national'],
    ['101', '92125551234', 'internal-only'],
  ] as const)(
    'ext %s dialling %s is denied (%s): the caller gets 503 and the trunks nothing',
    async (extension, dialled, reason) => {
      const east = termination('127.0.0.5');
      const west = termination('127.0.0.6');
      const call = await dial(extension, dialled, 'phone-dial-denied');
      expect(call.exitCode, call.stderr).toBe(0);
      expect(invites(await east.stop())).toEqual([]);
      expect(invites(await west.stop())).toEqual([]);
      // The disposition comes with the hangup report (a Local channel, just after the call ends).
      await expect
        .poll(async () => {
          await started.switchboard.callLog.flush();
          return (await started.switchboard.store.listCalls({ limit: 1 }))[0];
        })
        .toMatchObject({ caller: extension, note: `denied: ${reason}`, disposition: 'rejected' });
    },
  );

  it('denies a call over the concurrent-call limit without reaching the trunk', async () => {
    const east = termination('127.0.0.5');
    const first = dial('100', '92125551234', 'phone-dial', 3_000);
    await expect
      .poll(() => started.switchboard.outboundLimiter.inProgress('100'), { timeout: 5_000 })
      .toBe(1);
    const second = await new Sipp(chroot, {
      scenario: 'phone-dial-denied',
      address: '127.0.0.2',
      port: 5091,
      mediaPort: 14_100,
      remote: '127.0.0.1:5060',
      service: '92125551235',
      keys: { caller: '100' },
      auth: { user: '100', password: labPhonePassword(chroot, '100') },
      calls: 1,
      timeoutSeconds: 20,
    }).done;
    expect(second.exitCode, second.stderr).toBe(0);
    expect((await first).exitCode).toBe(0);
    const seen = invites(await east.stop());
    expect(seen).toHaveLength(1);
    expect(seen[0]).toContain('+12125551234@');
    await started.switchboard.callLog.flush();
    expect(
      (await started.switchboard.store.listCalls({ limit: 5 })).some(
        (call) => call.note === 'denied: concurrent',
      ),
    ).toBe(true);
  });

  it('fails over: the first trunk answers 503, the second gets the call', async () => {
    const east = termination('127.0.0.5', 'trunk-503');
    const west = termination('127.0.0.6');
    const call = await dial('100', '92125551234');
    expect(call.exitCode, call.stderr).toBe(0);
    expect(invites(await east.stop())).toHaveLength(1);
    expect(invites(await west.stop())).toEqual([
      'invite ruri=sip:+12125551234@switchboard-lab.pstn.us2.twilio.com from=+19863334950 pai=+19863334950',
    ]);
    // The answered leg's outcome comes with the hangup report, which runs on a Local channel of
    // its own a few milliseconds after the call ends (docs/dialplan-agi.md): wait for it.
    await expect
      .poll(async () => {
        await started.switchboard.callLog.flush();
        const [row] = await started.switchboard.store.listCalls({ limit: 1 });
        return row?.steps.map((step) => [step.label, step.outcome]);
      })
      .toEqual([
        ['+12125551234 via trunk east', 'failed'],
        ['+12125551234 via trunk west', 'answered'],
      ]);
  });

  it('never turns an INVITE from the Twilio side into an outbound call', async () => {
    const east = termination('127.0.0.5');
    const west = termination('127.0.0.6');
    for (const did of ['+12125551234', '92125551234', '911']) {
      const call = await callFromTwilio(chroot, { did, scenario: 'twilio-rejected-404' });
      expect(call.exitCode, `${did}: ${call.stderr}`).toBe(0);
    }
    expect(invites(await east.stop())).toEqual([]);
    expect(invites(await west.stop())).toEqual([]);
  });
});
