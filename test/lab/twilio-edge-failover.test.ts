import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { readRoutingFile } from '../../agi-server/src/config.js';
import type { RoutingConfigInput } from '../../agi-server/src/routing/model.js';
import { startSwitchboard } from '../support/switchboard.js';
import { startTwilioRun, type TwilioRun } from '../support/twilio-run.js';
import { TEST_ACCOUNT_SID, TEST_AUTH_TOKEN } from '../support/twilio-signing.js';
import { newCallSid } from './calls.js';
import { LabAsterisk, Sipp, startPhone } from './lab.js';
import { TwilioEdge } from './twilio-edge.js';

// Issue 10 item 4, end to end: Twilio edge emulator (honouring <Dial timeout> with a CANCEL, as
// Twilio does) -> real twilio-run (our Functions) -> real Asterisk 22 -> AGI. The edge waits as
// long as the routing allows, so a long hunt reaches voicemail; and it fails over to the secondary
// PBX only when the PBX is broken, never for the PBX's own 486/404.
const chroot = inject('labChroot');
const SECRET = 'lab-edge-secret-0123456789abcdef0123456';
/** The edge's wait: the Function's DIAL_TIMEOUT and the routing's edgeDialTimeoutSeconds agree. */
const EDGE_WAIT_SECONDS = 60;
const DID = { huntThenVoicemail: '+19863334960', rejectBusy: '+19863334961', unknown: '+19863334969' };
/** The secondary PBX: a SIPp UAS that answers anything and logs it. */
const SECONDARY = '127.0.0.5';
const functionsEnv = {
  ACCOUNT_SID: TEST_ACCOUNT_SID,
  AUTH_TOKEN: TEST_AUTH_TOKEN,
  SB_HEADER_SECRET: SECRET,
  PBX_HOST: '127.0.0.1:5060',
  FALLBACK_PBX_HOST: `${SECONDARY}:5060`,
  DIAL_TIMEOUT: String(EDGE_WAIT_SECONDS),
};

function routing(): RoutingConfigInput {
  const lab = readRoutingFile(new URL('routing.lab.yaml', import.meta.url).pathname);
  return {
    ...lab,
    settings: { ...lab.settings, edgeDialTimeoutSeconds: EDGE_WAIT_SECONDS },
    routes: [
      ...(lab.routes ?? []),
      {
        id: 'hunt-then-voicemail',
        did: DID.huntThenVoicemail,
        plans: {
          open: [
            { type: 'hunt', extensions: ['100', '101'], timeoutSeconds: 25 },
            { type: 'voicemail', mailbox: '100' },
          ],
        },
      },
      { id: 'closed-line', did: DID.rejectBusy, plans: { open: [{ type: 'reject', reason: 'busy' }] } },
    ],
  };
}

let started: Awaited<ReturnType<typeof startSwitchboard>>;
let functions: TwilioRun;
let edge: TwilioEdge;
let running: Sipp[] = [];
const asterisk = new LabAsterisk(chroot);

beforeAll(async () => {
  started = await startSwitchboard({
    seed: routing(),
    agiPort: 4573,
    withoutApi: true,
    headerSecret: SECRET,
  });
  functions = await startTwilioRun(functionsEnv);
  edge = new TwilioEdge(chroot, functions);
});
afterAll(async () => {
  await functions?.stop();
  await started?.switchboard.close(1_000);
});
afterEach(async () => {
  await Promise.all(running.map((sipp) => sipp.stop()));
  running = [];
});

function start(sipp: Sipp): Sipp {
  running.push(sipp);
  return sipp;
}

const secondaryPbx = () =>
  start(new Sipp(chroot, { scenario: 'phone-answer', address: SECONDARY, mediaPort: 13_500 }));

async function callRecord(callSid: string) {
  await started.switchboard.callLog.flush();
  return (await started.switchboard.store.listCalls({ limit: 50 })).find((call) => call.callSid === callSid);
}

/** Function log lines (JSON) about one call. */
function functionLog(output: string, callSid: string): Array<Record<string, unknown>> {
  return output
    .split('\n')
    .filter((line) => line.includes(callSid) && line.trimStart().startsWith('{'))
    .map((line) => JSON.parse(line.slice(line.indexOf('{'))) as Record<string, unknown>);
}

describe('edge and PBX agree on time (real twilio-run, real Asterisk)', () => {
  it('a 25 s + 25 s hunt then voicemail reaches the PBX voicemail step: the edge does not cancel it', async () => {
    const at100 = start(startPhone(chroot, '127.0.0.2', 'phone-ring'));
    const at101 = start(startPhone(chroot, '127.0.0.3', 'phone-ring'));
    const secondary = secondaryPbx();
    const logBefore = asterisk.log().length;
    const callSid = newCallSid();
    const steps = await edge.call({
      to: DID.huntThenVoicemail,
      from: '+15551230001',
      callSid,
      durationMs: 2_000,
    });

    expect(steps[0]?.twiml).toContain(`timeout="${EDGE_WAIT_SECONDS}"`);
    // Answered by VoiceMail() after both members rang their 25 s, well inside the edge's 60 s.
    expect(steps[0]?.sipp?.logs.join('\n')).not.toContain('edge-cancel');
    expect(steps[0], steps[0]?.sipp?.stderr).toMatchObject({ dialCallStatus: 'completed' });
    expect(steps[0]?.legMs).toBeGreaterThan(49_000);
    expect(steps[0]?.legMs).toBeLessThan(EDGE_WAIT_SECONDS * 1000);
    expect(steps[1]?.twiml).toContain('<Hangup/>');
    expect((await at100.stop()).logs.filter((line) => line.includes('rang user=100'))).toHaveLength(1);
    expect((await at101.stop()).logs.filter((line) => line.includes('rang user=101'))).toHaveLength(1);
    expect((await secondary.stop()).logs).toEqual([]);

    const asteriskLog = asterisk.log().slice(logBefore);
    expect(asteriskLog).toMatch(
      /Executing \[[^\]]+\] VoiceMail\("PJSIP\/twilio-[^"]*", "100@default[^"]*"\)/,
    );
    expect(await callRecord(callSid)).toMatchObject({
      routeId: 'hunt-then-voicemail',
      disposition: 'voicemail',
    });
  });

  it('an edge that waits less than the plan (mismatched DIAL_TIMEOUT) cancels it before voicemail: the case the setting prevents', async () => {
    const { FALLBACK_PBX_HOST: _, ...withoutSecondary } = functionsEnv;
    const short = await startTwilioRun({ ...withoutSecondary, DIAL_TIMEOUT: '30' });
    try {
      start(startPhone(chroot, '127.0.0.2', 'phone-ring'));
      start(startPhone(chroot, '127.0.0.3', 'phone-ring'));
      const logBefore = asterisk.log().length;
      const callSid = newCallSid();
      const steps = await new TwilioEdge(chroot, short).call({
        to: DID.huntThenVoicemail,
        from: '+15551230001',
        callSid,
      });
      expect(steps[0], `${steps[0]?.sipp?.stderr}\n${steps[0]?.sipp?.logs.join('\n')}`).toMatchObject({
        dialCallStatus: 'no-answer',
        dialSipResponseCode: '487',
      });
      expect(steps[0]?.sipp?.logs.join('\n')).toContain('edge-cancel after 30s');
      expect(steps[0]?.legMs).toBeGreaterThan(29_500);
      expect(steps[0]?.legMs).toBeLessThan(35_000);
      expect(asterisk.log().slice(logBefore)).not.toContain('VoiceMail(');
      expect(await callRecord(callSid)).toMatchObject({ disposition: 'abandoned' });
    } finally {
      await short.stop();
    }
  });

  it.each([
    ['a `reject busy` route', DID.rejectBusy, 'busy', '486'],
    ['an unknown DID', DID.unknown, 'failed', '404'],
  ])('%s is not sent to the secondary PBX', async (_, did, status, code) => {
    const secondary = secondaryPbx();
    const callSid = newCallSid();
    const steps = await edge.call({ to: did, from: '+15551230001', callSid });
    expect(steps[0]).toMatchObject({ dialCallStatus: status, dialSipResponseCode: code });
    expect(steps).toHaveLength(2);
    expect(steps[1]?.twiml).toBe('<?xml version="1.0" encoding="UTF-8"?><Response><Hangup/></Response>');
    expect((await secondary.stop()).logs).toEqual([]);
    expect(functionLog(functions.output(), callSid)).toContainEqual(
      expect.objectContaining({ msg: 'dial ended (declined): no failover', sipResponseCode: code }),
    );
  });

  it('a PBX that answers 503 is still failed over to the secondary PBX, which takes the call', async () => {
    start(new Sipp(chroot, { scenario: 'pbx-down', address: '127.0.0.4', mediaPort: 12_900 }));
    const downFunctions = await startTwilioRun({ ...functionsEnv, PBX_HOST: '127.0.0.4:5060' });
    try {
      const secondary = secondaryPbx();
      const callSid = newCallSid();
      const steps = await new TwilioEdge(chroot, downFunctions).call({
        to: DID.rejectBusy,
        from: '+15551230001',
        callSid,
      });
      expect(steps[0]).toMatchObject({ dialCallStatus: 'failed', dialSipResponseCode: '503' });
      expect(steps[1]?.twiml).toContain('action="/secondary-status"');
      expect(steps[1]?.sip?.hostPort).toBe(`${SECONDARY}:5060`);
      expect(steps[1]?.dialCallStatus, steps[1]?.sipp?.stderr).toBe('completed');
      expect((await secondary.stop()).logs.filter((line) => line.includes('answered'))).toHaveLength(1);
      expect(functionLog(downFunctions.output(), callSid)).toContainEqual(
        expect.objectContaining({
          msg: 'PBX broken: failing over',
          sipResponseCode: '503',
          next: 'secondary',
        }),
      );
    } finally {
      await downFunctions.stop();
    }
  });
});
