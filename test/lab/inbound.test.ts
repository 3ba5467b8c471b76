import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import type { AgiScriptHandler, FastAgiServer } from '../../agi-server/src/agi/index.js';
import { createFastAgiServer } from '../../agi-server/src/agi/index.js';
import { createSwitchboardAgi, scriptTable } from '../../agi-server/src/app.js';
import { loadInboundTable, loadServerConfig } from '../../agi-server/src/config.js';
import { DialplanVariable } from '../../agi-server/src/dialplan-contract.js';
import { captureLogger } from '../support/capture-logger.js';
import { type Sipp, Sipp as SippProcess, startPhone } from './lab.js';

const chroot = inject('labChroot');
const config = loadServerConfig({});
const table = loadInboundTable(config.SB_ROUTES_FILE);
const TWILIO = { address: '127.0.0.1', port: 5070, remote: '127.0.0.1:5060' };

function newCallSid(): string {
  return `CA${randomBytes(16).toString('hex')}`;
}

function callFromTwilio(options: {
  did: string;
  callSid?: string;
  scenario?: string;
  calls?: number;
  rate?: number;
  durationMs?: number;
  keys?: Record<string, string>;
}): Promise<Awaited<Sipp['done']>> {
  return new SippProcess(chroot, {
    scenario: options.scenario ?? 'twilio-call',
    ...TWILIO,
    service: options.did,
    keys: { caller: '+15551230001', callsid: options.callSid ?? newCallSid(), ...options.keys },
    calls: options.calls ?? 1,
    rate: options.rate ?? 10,
    durationMs: options.durationMs ?? 300,
    timeoutSeconds: 60,
  }).done;
}

describe('inbound calls through the FastAGI server on real Asterisk 22', () => {
  let phone100: Sipp;
  let phone101: Sipp;
  let agi: FastAgiServer | undefined;
  const log = captureLogger();

  beforeAll(async () => {
    agi = createSwitchboardAgi(config, table, log.logger);
    await agi.listen();
  });
  afterAll(async () => {
    await agi?.close(1_000);
  });
  beforeEach(() => {
    log.lines.length = 0;
    phone100 = startPhone(chroot, '127.0.0.2');
    phone101 = startPhone(chroot, '127.0.0.3');
  });
  afterEach(async () => {
    await Promise.all([phone100.stop(), phone101.stop()]);
  });

  it('routes +19863334949 with X- headers to extension 100 and logs the CallSid', async () => {
    const callSid = newCallSid();
    const call = await callFromTwilio({ did: '+19863334949', callSid });
    expect(call.exitCode, call.stderr).toBe(0);

    const [at100, at101] = await Promise.all([phone100.stop(), phone101.stop()]);
    expect(at100.logs.filter((line) => line.includes('answered user=100'))).toHaveLength(1);
    expect(at101.logs).toHaveLength(0);

    const routed = log.lines.filter((line) => line.event === 'inbound-call');
    expect(routed).toHaveLength(1);
    expect(routed[0]).toMatchObject({ callSid, did: '+19863334949', dial: 'PJSIP/100', action: 'dial' });
    expect(routed[0]?.uniqueid).toMatch(/^\d+\.\d+$/);
    expect(routed[0]?.linkedid).toBe(routed[0]?.uniqueid);
  });

  it('rejects a DID with no route with SIP 404, not a crash', async () => {
    const call = await callFromTwilio({ did: '+15550001111', scenario: 'twilio-rejected-404' });
    expect(call.exitCode, call.stderr).toBe(0);
    expect(log.lines.filter((line) => line.event === 'inbound-call')[0]).toMatchObject({
      action: 'reject',
      reason: 'unknown-did',
    });
    expect(log.lines.filter((line) => Number(line.level) >= 50)).toEqual([]);
  });

  it('puts the caller through to the fallback phone when the AGI server is down (not a 603)', async () => {
    await agi?.close(1_000);
    agi = undefined;
    try {
      const call = await callFromTwilio({ did: '+19863334949' });
      expect(call.exitCode, call.stderr).toBe(0);
      const [at100, at101] = await Promise.all([phone100.stop(), phone101.stop()]);
      expect(at101.logs.filter((line) => line.includes('answered user=101'))).toHaveLength(1);
      expect(at100.logs).toHaveLength(0);
    } finally {
      agi = createSwitchboardAgi(config, table, log.logger);
      await agi.listen();
    }
  });

  it('carries 200 calls at 50 calls/s through the AGI, every one answered', async () => {
    const call = await callFromTwilio({ did: '+19863334949', calls: 200, rate: 50, durationMs: 1_000 });
    expect(call.exitCode, `${call.stdout.slice(-2_000)}\n${call.stderr}`).toBe(0);
    const at100 = await phone100.stop();
    expect(at100.logs.filter((line) => line.includes('answered user=100'))).toHaveLength(200);
    expect(
      log.lines.filter((line) => line.event === 'inbound-call' && line.dial === 'PJSIP/100'),
    ).toHaveLength(200);
    expect(log.lines.filter((line) => Number(line.level) >= 50)).toEqual([]);
    expect(agi?.activeSessions).toBe(0);
  });
});

describe('AGI sessions against the real res_agi parser', () => {
  it('ends cleanly when the caller hangs up during the AGI session: no error, no leaked session', async () => {
    const log = captureLogger();
    const hangupSeen: boolean[] = [];
    const inbound = scriptTable({ table: () => table, logger: log.logger }).get(
      'inbound',
    ) as AgiScriptHandler;
    // The real inbound handler, held until Asterisk reports the caller's hangup (or 5 s pass).
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
      const call = await callFromTwilio({ did: '+19863334949', scenario: 'twilio-cancel', durationMs: 500 });
      expect(call.exitCode, call.stderr).toBe(0);
      await expect.poll(() => server.openConnections, { timeout: 5_000 }).toBe(0);
      expect(server.activeSessions).toBe(0);
      expect(hangupSeen).toEqual([true]);
      expect(log.lines.filter((line) => Number(line.level) >= 50)).toEqual([]);
      expect(log.lines.find((line) => line.event === 'inbound-call')).toMatchObject({ hungUp: true });
    } finally {
      await server.close(1_000);
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
      const call = await callFromTwilio({ did: '+19860000002', scenario: 'twilio-rejected-404' });
      expect(call.exitCode, call.stderr).toBe(0);
      await expect.poll(() => server.activeSessions, { timeout: 5_000 }).toBe(0);
      for (const [name, value] of Object.entries(values)) {
        // Asterisk's variables cannot distinguish "set to empty" from "unset".
        expect(readBack[name] ?? '', name).toBe(value);
      }
      expect(readBack.EXPR).toBe(`${values.SB_T1}|${values.SB_T4}`);
      expect(log.lines.filter((line) => Number(line.level) >= 50)).toEqual([]);
    } finally {
      await server.close(1_000);
    }
  });
});
