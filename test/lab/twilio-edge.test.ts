import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { readRoutingFile } from '../../agi-server/src/config.js';
import { startSwitchboard } from '../support/switchboard.js';
import { startTwilioRun, type TwilioRun } from '../support/twilio-run.js';
import { TEST_ACCOUNT_SID, TEST_AUTH_TOKEN } from '../support/twilio-signing.js';
import { newCallSid } from './calls.js';
import { Sipp, startPhone } from './lab.js';
import { TwilioEdge } from './twilio-edge.js';

// Issue 4 end to end: Twilio edge emulator -> real twilio-run (our Functions) -> SIPp INVITE with
// exactly the <Sip> URI's headers -> real Asterisk 22 -> AGI verifies the HMAC -> the phone.
const chroot = inject('labChroot');
const SECRET = 'lab-edge-secret-0123456789abcdef0123456';
const functionsEnv = {
  ACCOUNT_SID: TEST_ACCOUNT_SID,
  AUTH_TOKEN: TEST_AUTH_TOKEN,
  SB_HEADER_SECRET: SECRET,
  PBX_HOST: '127.0.0.1:5060',
  DID_ROUTE_KEYS: JSON.stringify({ '+19863334953': 'edge-vip' }),
  FALLBACK_NUMBER: '+15550009999',
};

let started: Awaited<ReturnType<typeof startSwitchboard>>;
let functions: TwilioRun;
let edge: TwilioEdge;
let phones: Sipp[] = [];

beforeAll(async () => {
  const seed = readRoutingFile(new URL('routing.lab.yaml', import.meta.url).pathname);
  started = await startSwitchboard({
    seed,
    agiPort: 4573,
    withoutApi: true,
    headerSecret: SECRET,
    env: { SB_TWILIO_ACCOUNT_SID: TEST_ACCOUNT_SID },
  });
  functions = await startTwilioRun(functionsEnv);
  edge = new TwilioEdge(chroot, functions);
});
afterAll(async () => {
  await functions?.stop();
  await started?.switchboard.close(1_000);
});
afterEach(async () => {
  await Promise.all(phones.map((phone) => phone.stop()));
  phones = [];
});

function bothPhones() {
  const at100 = startPhone(chroot, '127.0.0.2');
  const at101 = startPhone(chroot, '127.0.0.3');
  phones.push(at100, at101);
  return { at100, at101 };
}

async function callRecord(callSid: string) {
  await started.switchboard.callLog.flush();
  return (await started.switchboard.store.listCalls({ limit: 20 })).find((call) => call.callSid === callSid);
}

describe('Twilio edge -> Functions -> Asterisk -> AGI', () => {
  it('carries the signed X-SB- headers to the AGI, which verifies them; the call reaches extension 100', async () => {
    const { at100, at101 } = bothPhones();
    const callSid = newCallSid();
    const [step] = await edge.call({ to: '+19863334949', from: '+15551230001', callSid });
    expect(step?.sip?.headers.map(([name]) => name)).toEqual([
      'X-SB-Did',
      'X-SB-Caller',
      'X-SB-Ts',
      'X-SB-Nonce',
      'X-SB-Sig',
    ]);
    expect(step?.dialCallStatus, step?.sipp?.stderr).toBe('completed');
    expect((await at100.stop()).logs.filter((line) => line.includes('answered user=100'))).toHaveLength(1);
    expect((await at101.stop()).logs).toHaveLength(0);
    expect(
      started.log.lines.find((line) => line.event === 'inbound-call' && line.callSid === callSid),
    ).toMatchObject({
      signature: 'valid',
      did: '+19863334949',
      caller: '+15551230001',
    });
    expect(await callRecord(callSid)).toMatchObject({ signature: 'valid', routeId: 'sample' });
  });

  it('honours the route key the edge signed: +19863334953 goes to edge-vip (extension 101)', async () => {
    const { at100, at101 } = bothPhones();
    const callSid = newCallSid();
    const [step] = await edge.call({ to: '+19863334953', from: '+15551230001', callSid });
    expect(step?.sip?.headers).toContainEqual(['X-SB-Route', 'edge-vip']);
    expect(step?.dialCallStatus, step?.sipp?.stderr).toBe('completed');
    expect((await at101.stop()).logs.filter((line) => line.includes('answered user=101'))).toHaveLength(1);
    expect((await at100.stop()).logs).toHaveLength(0);
    expect(await callRecord(callSid)).toMatchObject({ signature: 'valid', routeId: 'edge-vip' });
  });

  it("does not give a forged INVITE (bad HMAC) the route key's destination", async () => {
    const { at100, at101 } = bothPhones();
    const callSid = newCallSid();
    const [step] = await edge.call({
      to: '+19863334953',
      from: '+15551230001',
      callSid,
      // Keep the route key, forge the signature.
      tamper: (headers) =>
        headers.map(([name, value]) => [name, name === 'X-SB-Sig' ? `${'A'.repeat(42)}B` : value]),
    });
    expect(step?.dialCallStatus, step?.sipp?.stderr).toBe('completed');
    expect((await at100.stop()).logs.filter((line) => line.includes('answered user=100'))).toHaveLength(1);
    expect((await at101.stop()).logs).toHaveLength(0);
    expect(await callRecord(callSid)).toMatchObject({ signature: 'invalid', routeId: 'edge-default' });
    expect(
      started.log.lines.find((line) => line.event === 'inbound-call' && line.callSid === callSid),
    ).toMatchObject({
      level: 40,
      signature: 'invalid',
    });
  });

  it('binds a captured header set to its call: replays on another DID, a second call or another account choose nothing', async () => {
    // Call A: +19863334953, whose edge route key sends it to edge-vip (extension 101).
    let phonesNow = bothPhones();
    const [stepA] = await edge.call({ to: '+19863334953', from: '+15551230001', callSid: newCallSid() });
    expect(stepA?.dialCallStatus, stepA?.sipp?.stderr).toBe('completed');
    expect(
      (await phonesNow.at101.stop()).logs.filter((line) => line.includes('answered user=101')),
    ).toHaveLength(1);
    await phonesNow.at100.stop();
    const captured = stepA?.sip?.headers ?? [];
    expect(captured).toContainEqual(['X-SB-Route', 'edge-vip']);

    const replay = async (to: string, accountSid?: string) => {
      phonesNow = bothPhones();
      const callSid = newCallSid();
      const [step] = await edge.call({
        to,
        from: '+15551230001',
        callSid,
        tamper: () => captured,
        ...(accountSid ? { accountSid } : {}),
      });
      expect(step?.dialCallStatus, step?.sipp?.stderr).toBe('completed');
      const answered = {
        100: (await phonesNow.at100.stop()).logs.filter((line) => line.includes('answered user=100')).length,
        101: (await phonesNow.at101.stop()).logs.filter((line) => line.includes('answered user=101')).length,
      };
      return { answered, record: await callRecord(callSid) };
    };
    // Call B (another DID, another CallSid) with A's headers: routed on its own DID.
    expect(await replay('+19863334949')).toMatchObject({
      answered: { 100: 1, 101: 0 },
      record: { did: '+19863334949', routeId: 'sample', signature: 'wrong-did' },
    });
    // A second call to A's DID with A's headers: the route key is not honoured.
    expect(await replay('+19863334953')).toMatchObject({
      answered: { 100: 1, 101: 0 },
      record: { did: '+19863334953', routeId: 'edge-default', signature: 'replayed' },
    });
    // Through another Twilio account: not honoured.
    expect(await replay('+19863334953', 'ACffffffffffffffffffffffffffffffff')).toMatchObject({
      answered: { 100: 1, 101: 0 },
      record: { routeId: 'edge-default', signature: 'wrong-account' },
    });
  });

  it('follows the action to the fallback when the PBX answers 503, and the secondary PBX takes the call', async () => {
    // The primary PBX (127.0.0.4) is down: it answers every INVITE with 503. The secondary is
    // the lab Asterisk.
    const downPbx = new Sipp(chroot, { scenario: 'pbx-down', address: '127.0.0.4', mediaPort: 12_900 });
    phones.push(downPbx);
    const downFunctions = await startTwilioRun({
      ...functionsEnv,
      PBX_HOST: '127.0.0.4:5060',
      FALLBACK_PBX_HOST: '127.0.0.1:5060',
    });
    try {
      const { at100 } = bothPhones();
      const steps = await new TwilioEdge(chroot, downFunctions).call({
        to: '+19863334949',
        from: '+15551230001',
        callSid: newCallSid(),
      });
      expect(steps[0]).toMatchObject({ dialCallStatus: 'failed', dialSipResponseCode: '503' });
      // The fallback TwiML from /dial-status: the secondary PBX, with freshly signed headers.
      expect(steps[1]?.twiml).toContain('action="/secondary-status"');
      expect(steps[1]?.sip?.hostPort).toBe('127.0.0.1:5060');
      expect(steps[1]?.dialCallStatus, steps[1]?.sipp?.stderr).toBe('completed');
      expect((await at100.stop()).logs.filter((line) => line.includes('answered user=100'))).toHaveLength(1);
      expect(steps[2]?.twiml).toContain('<Hangup/>');
    } finally {
      await downFunctions.stop();
    }
  });

  it('gets the number fallback TwiML for DialCallStatus=failed, DialSipResponseCode=503 with no secondary', async () => {
    const downPbx = new Sipp(chroot, { scenario: 'pbx-down', address: '127.0.0.4', mediaPort: 12_900 });
    phones.push(downPbx);
    const downFunctions = await startTwilioRun({ ...functionsEnv, PBX_HOST: '127.0.0.4:5060' });
    try {
      const steps = await new TwilioEdge(chroot, downFunctions).call({
        to: '+19863334949',
        from: '+15551230001',
        callSid: newCallSid(),
      });
      expect(steps[0]).toMatchObject({ dialCallStatus: 'failed', dialSipResponseCode: '503' });
      expect(steps[1]?.twiml).toContain(
        '<Dial action="/forward-status" method="POST" timeout="30"><Number>+15550009999</Number></Dial>',
      );
    } finally {
      await downFunctions.stop();
    }
  });
});
