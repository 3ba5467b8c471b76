import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { CDR_FILE_NAME } from '../../agi-server/src/cdr/record.js';
import { readRoutingFile } from '../../agi-server/src/config.js';
import { openSqliteStore } from '../../agi-server/src/store/sqlite-store.js';
import type { CallRecord } from '../../agi-server/src/store/types.js';
import { startSwitchboard } from '../support/switchboard.js';
import { muLawTone } from './audio.js';
import { callFromTwilio, newCallSid } from './calls.js';
import { LabAsterisk, labPhonePassword, RUN_DIR, Sipp, startPhone } from './lab.js';
import { SwitchboardProcess } from './switchboard-process.js';

/**
 * Issue 11 on real Asterisk 22: the AGI server stopped, killed mid-load, away while a call ends
 * in voicemail. Whatever happens, the caller reaches a person or voicemail within the bound the
 * dialplan sets (SB_AGI_TIMEOUT, 3 s in the lab settings), and every call is on record once the
 * server is back (the CDR reconciler). See docs/faults.md.
 */

const chroot = inject('labChroot');
const ROUTING_FILE = new URL('routing.lab.yaml', import.meta.url).pathname;
const seed = readRoutingFile(ROUTING_FILE);
const cdrFile = join(chroot, RUN_DIR.slice(1), 'log', 'cdr-custom', CDR_FILE_NAME);
const mailbox100 = join(chroot, RUN_DIR.slice(1), 'spool', 'voicemail', 'default', '100', 'INBOX');
/** The dialplan's AGI bound (asterisk-config's agi.timeoutSeconds default). */
const AGI_BOUND_MS = 2_000;
/** The promise: a caller reaches the fallback phone within 3 s whatever the AGI server does. */
const FALLBACK_GOAL_MS = 3_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Asterisk's CLI on the lab instance the global setup started (same config, same chroot). */
const asterisk = new LabAsterisk(chroot);

async function activeChannels(): Promise<number> {
  const out = await asterisk.cli('core show channels count');
  return Number(/(\d+) active channels?/.exec(out)?.[1] ?? Number.NaN);
}

function processEnv(dbPath: string): Record<string, string> {
  return {
    SB_AGI_HOST: '127.0.0.1',
    SB_AGI_PORT: '4573',
    SB_API_HOST: '127.0.0.1',
    SB_API_PORT: '8651',
    // A fresh token per run: the admin API is not used here, but must not print a generated one.
    SB_ADMIN_TOKEN: `sb_${randomBytes(24).toString('base64url')}`,
    SB_DB_PATH: dbPath,
    SB_CDR_FILE: cdrFile,
    SB_RECONCILE_MS: '1000',
  };
}

async function callsInStore(dbPath: string, did: string, since: string): Promise<CallRecord[]> {
  const store = openSqliteStore(dbPath);
  try {
    return await store.listCalls({ did, since, limit: 10_000 });
  } finally {
    await store.close();
  }
}

function messages(): string[] {
  return existsSync(mailbox100) ? readdirSync(mailbox100).filter((name) => /^msg\d+\.wav$/.test(name)) : [];
}

/** The recording's length (from VoiceMail()'s .txt) and loudness (RMS of its 16-bit samples). */
function describeMessage(name: string): { bytes: number; seconds: number; rms: number } {
  const wav = readFileSync(join(mailbox100, name));
  const info = readFileSync(join(mailbox100, name.replace(/\.wav$/, '.txt')), 'utf8');
  const samples = new Int16Array(wav.buffer, wav.byteOffset + 44, Math.floor((wav.length - 44) / 2));
  let sum = 0;
  for (const sample of samples) sum += sample * sample;
  return {
    bytes: statSync(join(mailbox100, name)).size,
    seconds: Number(/^duration=(\d+)/m.exec(info)?.[1] ?? 0),
    rms: Math.sqrt(sum / Math.max(1, samples.length)),
  };
}

describe('faults on real Asterisk 22: the AGI server stopped, killed, away', () => {
  let phones: Sipp[] = [];
  let servers: SwitchboardProcess[] = [];
  let dbPath: string;
  let since: string;

  beforeEach(() => {
    // Only this test's calls: the CDR file is shared by the whole lab run.
    writeFileSync(cdrFile, '');
    dbPath = join(mkdtempSync(join(tmpdir(), 'sb-faults-')), 'switchboard.sqlite');
    since = new Date(Date.now() - 1_000).toISOString();
    servers = [];
    phones = [];
  });
  afterEach(async () => {
    await Promise.all(phones.map((phone) => phone.stop()));
    await Promise.all(servers.map((server) => server.stop()));
  });

  it('SIGSTOPped server: 3 of 3 calls reach the fallback phone within the bound; nothing stale after SIGCONT', async () => {
    const server = new SwitchboardProcess(processEnv(dbPath), ROUTING_FILE);
    servers.push(server);
    await server.ready();
    const phone100 = startPhone(chroot, '127.0.0.2');
    const phone101 = startPhone(chroot, '127.0.0.3');
    phones.push(phone100, phone101);

    server.signal('SIGSTOP');
    let setupMs: number[];
    try {
      const call = await callFromTwilio(chroot, {
        did: '+19863334949',
        calls: 3,
        rate: 1,
        durationMs: 1_000,
        traceRtt: true,
        timeoutSeconds: 30,
      });
      expect(call.exitCode, call.stderr).toBe(0);
      setupMs = call.responseTimesMs;
      const [at100, at101] = await Promise.all([phone100.stop(), phone101.stop()]);
      expect(at101.logs.filter((line) => line.includes('answered user=101'))).toHaveLength(3);
      expect(at100.logs).toHaveLength(0);
      // No channel left behind (the callers' nor any AGI's), while the server is still stopped.
      await expect.poll(activeChannels, { timeout: 10_000, interval: 250 }).toBe(0);
    } finally {
      server.signal('SIGCONT');
    }
    console.info(
      `[faults] SIGSTOP: INVITE->200 OK via the fallback, ms: ${setupMs.map((ms) => ms.toFixed(0)).join(', ')}`,
    );
    expect(setupMs).toHaveLength(3);
    for (const ms of setupMs) {
      expect(ms).toBeGreaterThanOrEqual(AGI_BOUND_MS - 100);
      expect(ms).toBeLessThan(FALLBACK_GOAL_MS);
    }

    // Resumed: the stale sessions (env block, then HANGUP) are dropped, never routed.
    await expect.poll(() => server.events('stale-session-dropped').length, { timeout: 5_000 }).toBe(3);
    expect(server.events('inbound-call')).toEqual([]);
    expect(server.events('call-ended')).toEqual([]);
    // The calls are on record all the same, from Asterisk's CDR: the fallback phone took them.
    await expect
      .poll(async () => (await callsInStore(dbPath, '+19863334949', since)).length, { timeout: 10_000 })
      .toBe(3);
    for (const row of await callsInStore(dbPath, '+19863334949', since)) {
      expect(row).toMatchObject({ routeId: undefined, disposition: 'answered', answeredBy: '101' });
      expect(row.note).toMatch(/^static fallback \(AGISTATUS=TIMEOUT\)/);
      expect(row.steps).toEqual([]);
    }
  });

  it('every AGI call is bounded, not only inbound: next, the hangup report and outbound (server stopped)', async () => {
    const server = new SwitchboardProcess(processEnv(dbPath), ROUTING_FILE);
    servers.push(server);
    await server.ready();
    const ringing100 = startPhone(chroot, '127.0.0.2', 'phone-ring');
    const phone101 = startPhone(chroot, '127.0.0.3');
    phones.push(ringing100, phone101);

    // A: step 1 rings 100 for 2 s; its `next` meets the stopped server. B: the ring group, answered
    // by 101 at once; it ends while the server is stopped, so its hangup report meets it too.
    const callA = callFromTwilio(chroot, {
      did: '+19863334951',
      durationMs: 500,
      traceRtt: true,
      timeoutSeconds: 30,
    });
    const callB = callFromTwilio(chroot, {
      did: '+19863334950',
      port: 5071,
      durationMs: 1_500,
      timeoutSeconds: 30,
    });
    await sleep(500);
    server.signal('SIGSTOP');
    let nextMs: number[];
    let outboundMs: number[];
    try {
      // C: phone 100 dials 101 while the server is stopped: `outbound` is bounded as well.
      const callC = new Sipp(chroot, {
        scenario: 'phone-dial',
        address: '127.0.0.2',
        port: 5090,
        mediaPort: 14_000,
        remote: '127.0.0.1:5060',
        service: '101',
        keys: { caller: '100' },
        auth: { user: '100', password: labPhonePassword(chroot, '100') },
        calls: 1,
        durationMs: 200,
        timeoutSeconds: 20,
        traceRtt: true,
      }).done;
      const [a, b, c] = await Promise.all([callA, callB, callC]);
      for (const result of [a, b, c]) expect(result.exitCode, result.stderr).toBe(0);
      nextMs = a.responseTimesMs;
      outboundMs = c.responseTimesMs;
      await expect.poll(activeChannels, { timeout: 10_000, interval: 250 }).toBe(0);
    } finally {
      server.signal('SIGCONT');
    }
    console.info(
      `[faults] SIGSTOP: next: INVITE->200 OK ${nextMs.map((ms) => ms.toFixed(0))} ms (2 s of ringing + the bound); ` +
        `outbound: INVITE->200 OK ${outboundMs.map((ms) => ms.toFixed(0))} ms`,
    );
    expect(nextMs).toHaveLength(1);
    expect(nextMs[0]).toBeGreaterThanOrEqual(2_000 + AGI_BOUND_MS - 100);
    expect(nextMs[0]).toBeLessThan(2_000 + AGI_BOUND_MS + 600);
    expect(outboundMs).toHaveLength(1);
    expect(outboundMs[0]).toBeGreaterThanOrEqual(AGI_BOUND_MS - 100);
    expect(outboundMs[0]).toBeLessThan(AGI_BOUND_MS + 600);
    const at101 = await phone101.stop();
    // B (ring group), A (through the fallback) and C (the outbound fallback) all reached 101.
    expect(at101.logs.filter((line) => line.includes('answered user=101'))).toHaveLength(3);

    // Resumed: A's `next`, B's hangup report and C's `outbound` are stale: dropped, not acted on.
    await expect.poll(() => server.events('stale-session-dropped').length, { timeout: 5_000 }).toBe(3);
    expect(server.events('inbound-call')).toHaveLength(2);
    expect(server.events('next-step')).toEqual([]);
    expect(server.events('outbound-call')).toEqual([]);
    expect(server.events('call-ended')).toEqual([]);
    // B's lost report is replayed from the CDR; A is closed from it as well.
    await expect
      .poll(
        async () =>
          [
            ...(await callsInStore(dbPath, '+19863334950', since)),
            ...(await callsInStore(dbPath, '+19863334951', since)),
          ].map((row) => `${row.routeId} ${row.disposition} ${row.answeredBy}`),
        { timeout: 10_000 },
      )
      .toEqual(['group answered 101', 'steps answered 101']);
  });

  it('server killed mid-load (100 calls at 20/s): 100 of 100 reach a phone; 100 rows after restart, none in-progress', async () => {
    const first = new SwitchboardProcess(processEnv(dbPath), ROUTING_FILE);
    servers.push(first);
    await first.ready();
    const phone100 = startPhone(chroot, '127.0.0.2');
    const phone101 = startPhone(chroot, '127.0.0.3');
    phones.push(phone100, phone101);

    const calls = callFromTwilio(chroot, {
      did: '+19863334949',
      calls: 100,
      rate: 20,
      durationMs: 2_000,
      timeoutSeconds: 60,
    });
    await sleep(2_000);
    await first.kill();
    await sleep(2_000);
    const second = new SwitchboardProcess(processEnv(dbPath), ROUTING_FILE);
    servers.push(second);
    await second.ready();
    const call = await calls;
    expect(call.exitCode, `${call.stdout.slice(-1_500)}\n${call.stderr}`).toBe(0);

    const [at100, at101] = await Promise.all([phone100.stop(), phone101.stop()]);
    const routed = at100.logs.filter((line) => line.includes('answered user=100')).length;
    const fallback = at101.logs.filter((line) => line.includes('answered user=101')).length;
    expect(routed + fallback).toBe(100);
    expect(fallback).toBeGreaterThan(0);
    await expect.poll(activeChannels, { timeout: 10_000, interval: 250 }).toBe(0);

    await expect
      .poll(
        async () => {
          const rows = await callsInStore(dbPath, '+19863334949', since);
          return {
            rows: rows.length,
            inProgress: rows.filter((row) => row.disposition === 'in-progress').length,
          };
        },
        { timeout: 15_000, interval: 500 },
      )
      .toEqual({ rows: 100, inProgress: 0 });
    const rows = await callsInStore(dbPath, '+19863334949', since);
    const fromCdr = rows.filter((row) => row.note?.includes("Asterisk's CDR")).length;
    const reconciled = second
      .events('cdr-reconciled')
      .reduce((sum, line) => sum + Number(line.reconciled), 0);
    console.info(
      `[faults] killed: ${routed} answered at 100 (routed), ${fallback} at 101 (fallback); ` +
        `${rows.length} rows, ${fromCdr} created from the CDR, ${reconciled} created or closed by the reconciler; ` +
        `answered rows: ${rows.filter((row) => row.disposition === 'answered').length}`,
    );
    expect(rows.filter((row) => row.disposition === 'answered')).toHaveLength(100);
    expect(reconciled).toBeGreaterThanOrEqual(fallback);
  });
});

describe('voicemail on real Asterisk 22', () => {
  let phones: Sipp[] = [];

  beforeEach(() => {
    writeFileSync(cdrFile, '');
    // A few seconds of a 440 Hz tone, looped by SIPp for as long as the call lasts.
    writeFileSync(join(chroot, RUN_DIR.slice(1), 'scenarios', 'voicemail-tone.ulaw'), muLawTone(4));
    phones = [];
  });
  afterEach(async () => {
    await Promise.all(phones.map((phone) => phone.stop()));
  });

  const assertNewMessage = (before: readonly string[]) => {
    const added = messages().filter((name) => !before.includes(name));
    expect(added).toHaveLength(1);
    const message = describeMessage(added[0] as string);
    console.info(
      `[faults] voicemail ${added[0]}: ${message.bytes} bytes, ${message.seconds} s, RMS ${message.rms.toFixed(0)}`,
    );
    // 8 kHz 16-bit WAV: 16,000 bytes a second; the tone is loud, silence is not.
    expect(message.seconds).toBeGreaterThanOrEqual(4);
    expect(message.bytes).toBeGreaterThan(4 * 16_000);
    expect(message.rms).toBeGreaterThan(500);
  };

  it('a plan nobody answers ends in VoiceMail(): a message in the box, the call log says voicemail', async () => {
    const started = await startSwitchboard({ seed, agiPort: 4573, withoutApi: true });
    try {
      phones.push(startPhone(chroot, '127.0.0.2', 'phone-ring'));
      const before = messages();
      const logBefore = asterisk.log().length;
      const callSid = newCallSid();
      const call = await callFromTwilio(chroot, {
        did: '+19863334955',
        callSid,
        scenario: 'twilio-voicemail',
        durationMs: 18_000,
        timeoutSeconds: 60,
      });
      expect(call.exitCode, call.stderr).toBe(0);
      await expect.poll(() => messages().length - before.length, { timeout: 5_000 }).toBe(1);
      assertNewMessage(before);

      await expect
        .poll(() => started.log.lines.filter((line) => line.event === 'call-ended').length, {
          timeout: 5_000,
        })
        .toBe(1);
      await started.switchboard.callLog.flush();
      const [row] = await started.switchboard.store.listCalls({ did: '+19863334955', limit: 10 });
      expect(row).toMatchObject({ callSid, disposition: 'voicemail', routeId: 'voicemail' });
      expect(row?.steps.map((step) => step.outcome)).toEqual(['no-answer', undefined]);

      // The prompts were found, and the call can be followed through the log by its linkedid.
      const log = asterisk.log().slice(logBefore);
      expect(log).not.toMatch(
        /does not exist in any format|Unable to open|Unable to find a codec translation/,
      );
      const linkedId = row?.linkedId;
      const trace = log
        .split('\n')
        .filter((line) => line.includes(' NOTICE[') && line.includes(`TRACE: `))
        .filter((line) => line.includes(`linkedid=${linkedId} `))
        .map((line) => /TRACE: (.*)$/.exec(line)?.[1]);
      expect(trace).toEqual([
        `context=from-twilio at=inbound linkedid=${linkedId} route=voicemail plan=open step=0 action=dial agi=SUCCESS`,
        `context=sb-route at=next linkedid=${linkedId} route=voicemail plan=open step=1 action=voicemail agi=SUCCESS`,
      ]);
    } finally {
      await started.switchboard.close(1_000);
    }
  });

  it("the static fallback's voicemail step, server down: a message in the box; on record as voicemail once it is back", async () => {
    phones.push(startPhone(chroot, '127.0.0.3', 'phone-ring'));
    const before = messages();
    const call = await callFromTwilio(chroot, {
      did: '+19863334949',
      scenario: 'twilio-voicemail',
      // The fallback rings 101 for 10 s (lab settings) before VoiceMail() answers.
      durationMs: 18_000,
      timeoutSeconds: 60,
    });
    expect(call.exitCode, call.stderr).toBe(0);
    await expect.poll(() => messages().length - before.length, { timeout: 5_000 }).toBe(1);
    assertNewMessage(before);

    const started = await startSwitchboard({ seed, agiPort: 4573, withoutApi: true, cdrFile });
    try {
      await started.switchboard.reconciler?.runOnce();
      const rows = await started.switchboard.store.listCalls({ did: '+19863334949', limit: 10 });
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ disposition: 'voicemail', routeId: undefined });
      expect(rows[0]?.note).toMatch(/^static fallback \(AGISTATUS=FAILURE\)/);
      // And in the Asterisk log: the AGI failure, then each move of the static fallback.
      const linkedId = rows[0]?.linkedId;
      const trace = asterisk
        .log()
        .split('\n')
        .filter((line) => line.includes(' NOTICE[') && line.includes(`TRACE: `))
        .filter((line) => line.includes(`linkedid=${linkedId} `))
        .map((line) => /TRACE: (.*)$/.exec(line)?.[1]);
      const empty = 'route= plan= step=';
      expect(trace).toEqual([
        `context=from-twilio at=inbound linkedid=${linkedId} ${empty} action=fallback agi=FAILURE`,
        `context=sb-fallback at=fallback linkedid=${linkedId} ${empty} action=dial agi=FAILURE`,
        `context=sb-fallback at=fallback linkedid=${linkedId} ${empty} action=voicemail agi=FAILURE`,
      ]);
    } finally {
      await started.switchboard.close(1_000);
    }
  });
});
