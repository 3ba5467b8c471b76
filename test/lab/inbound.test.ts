import { DialplanVariable } from '@switchboard/contract';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import type { AgiScriptHandler } from '../../agi-server/src/agi/index.js';
import { createFastAgiServer } from '../../agi-server/src/agi/index.js';
import { scriptTable } from '../../agi-server/src/app.js';
import { readRoutingFile } from '../../agi-server/src/config.js';
import { OutboundLimiter } from '../../agi-server/src/limits/outbound-limiter.js';
import { captureLogger } from '../support/capture-logger.js';
import { startSwitchboard } from '../support/switchboard.js';
import { callFromTwilio, errorsIn, newCallSid } from './calls.js';
import { type Sipp, startPhone } from './lab.js';

const chroot = inject('labChroot');
const seed = readRoutingFile(new URL('routing.lab.yaml', import.meta.url).pathname);

describe('inbound calls through the FastAGI server on real Asterisk 22', () => {
  let phone100: Sipp;
  let phone101: Sipp;
  let started: Awaited<ReturnType<typeof startSwitchboard>> | undefined;
  const start = async () => {
    started = await startSwitchboard({ seed, agiPort: 4573, withoutApi: true });
    return started;
  };

  beforeAll(start);
  afterAll(async () => {
    await started?.switchboard.close(1_000);
  });
  beforeEach(() => {
    started?.log.lines.splice(0);
    phone100 = startPhone(chroot, '127.0.0.2');
    phone101 = startPhone(chroot, '127.0.0.3');
  });
  afterEach(async () => {
    await Promise.all([phone100.stop(), phone101.stop()]);
  });

  it('routes +19863334949 with X- headers to extension 100 and logs the CallSid', async () => {
    const callSid = newCallSid();
    const call = await callFromTwilio(chroot, { did: '+19863334949', callSid });
    expect(call.exitCode, call.stderr).toBe(0);

    const [at100, at101] = await Promise.all([phone100.stop(), phone101.stop()]);
    expect(at100.logs.filter((line) => line.includes('answered user=100'))).toHaveLength(1);
    expect(at101.logs).toHaveLength(0);

    const routed = started?.log.lines.filter((line) => line.event === 'inbound-call') ?? [];
    expect(routed).toHaveLength(1);
    expect(routed[0]).toMatchObject({
      callSid,
      did: '+19863334949',
      dial: 'PJSIP/100',
      action: 'dial',
      route: 'sample',
    });
    expect(routed[0]?.uniqueid).toMatch(/^\d+\.\d+$/);
    expect(routed[0]?.linkedid).toBe(routed[0]?.uniqueid);
  });

  it('rejects a DID with no route with SIP 404, not a crash', async () => {
    const call = await callFromTwilio(chroot, { did: '+15550001111', scenario: 'twilio-rejected-404' });
    expect(call.exitCode, call.stderr).toBe(0);
    expect(started?.log.lines.find((line) => line.event === 'inbound-call')).toMatchObject({
      action: 'hangup',
      reason: 'unknown-did',
    });
    expect(errorsIn(started?.log.lines ?? [])).toEqual([]);
  });

  it('puts the caller through to the fallback phone when the AGI server is down (not a 603)', async () => {
    await started?.switchboard.close(1_000);
    started = undefined;
    try {
      const call = await callFromTwilio(chroot, { did: '+19863334949' });
      expect(call.exitCode, call.stderr).toBe(0);
      const [at100, at101] = await Promise.all([phone100.stop(), phone101.stop()]);
      expect(at101.logs.filter((line) => line.includes('answered user=101'))).toHaveLength(1);
      expect(at100.logs).toHaveLength(0);
    } finally {
      await start();
    }
  });

  it('carries 200 calls at 50 calls/s through the AGI, every one answered and logged', async () => {
    const call = await callFromTwilio(chroot, {
      did: '+19863334949',
      calls: 200,
      rate: 50,
      durationMs: 1_000,
    });
    expect(call.exitCode, `${call.stdout.slice(-2_000)}\n${call.stderr}`).toBe(0);
    const at100 = await phone100.stop();
    expect(at100.logs.filter((line) => line.includes('answered user=100'))).toHaveLength(200);
    const lines = started?.log.lines ?? [];
    expect(lines.filter((line) => line.event === 'inbound-call' && line.dial === 'PJSIP/100')).toHaveLength(
      200,
    );
    await expect
      .poll(() => lines.filter((line) => line.event === 'call-ended').length, { timeout: 10_000 })
      .toBe(200);
    expect(errorsIn(lines)).toEqual([]);
    await started?.switchboard.callLog.flush();
    const answered = await started?.switchboard.store.listCalls({ disposition: 'answered', limit: 1_000 });
    expect(answered).toHaveLength(200);
    expect(started?.switchboard.agi.activeSessions).toBe(0);
  });
});

describe('AGI sessions against the real res_agi parser', () => {
  it('ends cleanly when the caller hangs up during the AGI session: no error, no leaked session', async () => {
    // The real handlers (on a Switchboard whose own server is not the one Asterisk reaches),
    // with `inbound` held until Asterisk reports the caller's hangup (or 5 s pass).
    const started = await startSwitchboard({ seed, withoutApi: true });
    const { switchboard, log } = started;
    const inbound = scriptTable({
      snapshot: () => switchboard.routing.snapshot,
      callLog: switchboard.callLog,
      logger: log.logger,
      clock: () => new Date(),
      metrics: switchboard.metrics,
      headerSecret: undefined,
      twilioAccountSid: undefined,
      claimNonce: async () => true,
      outboundLimiter: new OutboundLimiter(),
    }).get('inbound') as AgiScriptHandler;
    const hangupSeen: boolean[] = [];
    const slowInbound: AgiScriptHandler = async (session) => {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 5_000);
        session.once('hangup', () => {
          clearTimeout(timer);
          resolve();
        });
      });
      hangupSeen.push(session.hungUp);
      await inbound(session);
    };
    const server = createFastAgiServer({
      host: '127.0.0.1',
      port: 4573,
      scripts: new Map([['inbound', slowInbound]]),
      logger: log.logger,
      errorVariable: DialplanVariable.agiError,
    });
    await server.listen();
    try {
      const call = await callFromTwilio(chroot, {
        did: '+19863334949',
        scenario: 'twilio-cancel',
        durationMs: 500,
      });
      expect(call.exitCode, call.stderr).toBe(0);
      await expect.poll(() => server.openConnections, { timeout: 5_000 }).toBe(0);
      expect(server.activeSessions).toBe(0);
      expect(hangupSeen).toEqual([true]);
      expect(errorsIn(log.lines)).toEqual([]);
      // The dialplan sets AGIEXITONHANGUP (the AGI bound): the caller's hangup ends the session at
      // once, so a call that is gone is never routed nor logged as routed.
      expect(log.lines.filter((line) => line.event === 'inbound-call')).toEqual([]);
      expect(log.lines.some((line) => line.msg === 'caller hung up during AGI session')).toBe(true);
    } finally {
      await server.close(1_000);
      await switchboard.close(500);
    }
  });

  it('sets values with commas, quotes, parentheses and backslashes in one MSet, read back intact', async () => {
    const log = captureLogger();
    const values: Record<string, string> = {
      SB_T1: 'a,b,c',
      SB_T2: 'say "hi" (twice) [now]',
      SB_T3: 'back\\slash, and ) unbalanced (',
      SB_T4: "Sales: Jürgen O'Neil",
      SB_T5: '',
      SB_T6: '  leading and trailing  ',
    };
    const readBack: Record<string, string | undefined> = {};
    const script: AgiScriptHandler = async (session) => {
      await session.setVariables(values);
      for (const name of Object.keys(values)) readBack[name] = await session.getVariable(name);
      readBack.EXPR = await session.getFullVariable('${SB_T1}|${SB_T4}');
    };
    const server = createFastAgiServer({
      host: '127.0.0.1',
      port: 4573,
      scripts: new Map([['lab-mset', script]]),
      logger: log.logger,
    });
    await server.listen();
    try {
      const call = await callFromTwilio(chroot, { did: '+19860000002', scenario: 'twilio-rejected-404' });
      expect(call.exitCode, call.stderr).toBe(0);
      await expect.poll(() => server.activeSessions, { timeout: 5_000 }).toBe(0);
      for (const [name, value] of Object.entries(values)) {
        // Asterisk's variables cannot tell "set to empty" from "unset".
        expect(readBack[name] ?? '', name).toBe(value);
      }
      expect(readBack.EXPR).toBe(`${values.SB_T1}|${values.SB_T4}`);
      expect(errorsIn(log.lines)).toEqual([]);
    } finally {
      await server.close(1_000);
    }
  });
});
