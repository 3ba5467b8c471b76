import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { readRoutingFile } from '../../agi-server/src/config.js';
import { startSwitchboard } from '../support/switchboard.js';
import { muLawTone } from './audio.js';
import { callFromTwilio, errorsIn } from './calls.js';
import { LabAsterisk, RUN_DIR, Sipp, startPhone } from './lab.js';

// Issue 19, call recording, on real Asterisk 22: MixMonitor(<linkedid>.wav,b) while bridged, by
// rule per route and direction; the file on the call, downloadable with the token; caller text
// never reaches a file name.
const chroot = inject('labChroot');
const base = readRoutingFile(new URL('routing.lab.yaml', import.meta.url).pathname);
const TOKEN = `sb_${'lab'.repeat(12)}`;
// Asterisk's monitor folder in the lab (astspooldir /lab-run/spool).
const monitor = join(chroot, RUN_DIR.slice(1), 'spool', 'monitor');
let started: Awaited<ReturnType<typeof startSwitchboard>>;
let phones: Sipp[] = [];

async function api(method: string, path: string, body?: unknown, token = TOKEN) {
  return fetch(`${started.apiUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

async function latestCall() {
  await started.switchboard.callLog.flush();
  const [call] = await started.switchboard.store.listCalls({ limit: 1 });
  return call;
}

beforeAll(async () => {
  mkdirSync(monitor, { recursive: true });
  // The caller sends a tone (rtp_stream of twilio-voicemail.xml): MixMonitor writes what it hears.
  writeFileSync(join(chroot, RUN_DIR.slice(1), 'scenarios', 'voicemail-tone.ulaw'), muLawTone(4));
  const offsetMs = Date.parse('2026-11-23T16:00:00Z') - Date.now();
  started = await startSwitchboard({
    seed: { ...base, recording: { rules: [{ id: 'sample-in', direction: 'inbound', route: 'sample' }] } },
    agiPort: 4573,
    clock: () => new Date(Date.now() + offsetMs),
    adminToken: TOKEN,
    env: { SB_RECORDINGS_DIR: monitor },
  });
});
afterAll(async () => {
  await started.switchboard.close(1_000);
});
afterEach(async () => {
  await Promise.all(phones.map((sipp) => sipp.stop()));
  phones = [];
});

/** A 5 s answered call to the sample route (desk phone 100 answers); the call's row once ended. */
async function fiveSecondCall(scenario?: string) {
  const desk = startPhone(chroot, '127.0.0.2', 'phone-answer');
  phones.push(desk);
  const call = await callFromTwilio(chroot, {
    did: '+19863334949',
    durationMs: 5_000,
    scenario: scenario ?? 'twilio-voicemail',
  });
  expect(call.exitCode, call.stderr).toBe(0);
  await desk.stop();
  await expect.poll(async () => (await latestCall())?.disposition, { timeout: 5_000 }).toBe('answered');
  const row = await latestCall();
  if (!row) throw new Error('no call row');
  return row;
}

/** MixMonitor closes the file a moment after the hangup. */
async function settledSize(path: string): Promise<number> {
  let last = -1;
  for (let i = 0; i < 20; i += 1) {
    const size = (() => {
      try {
        return statSync(path).size;
      } catch {
        return -1;
      }
    })();
    if (size > 0 && size === last) return size;
    last = size;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return last;
}

describe('call recording on real Asterisk 22', () => {
  it('records a 5 s bridged inbound call: one file of 5 ± 1 s named by the linkedid, on its row', async () => {
    const before = new Set(readdirSync(monitor));
    const row = await fiveSecondCall();
    const file = join(monitor, `${row.linkedId}.wav`);
    const bytes = await settledSize(file);
    const seconds = (bytes - 44) / 16_000;
    expect(Math.abs(seconds - 5), `recorded ${seconds} s`).toBeLessThanOrEqual(1);
    expect(readdirSync(monitor).filter((name) => !before.has(name))).toEqual([`${row.linkedId}.wav`]);

    const info = await api('GET', `/calls/${row.linkedId}/recording`);
    expect(info.status).toBe(200);
    expect(await info.json()).toMatchObject({
      available: true,
      linkedId: row.linkedId,
      bytes,
      audio: `/calls/${row.linkedId}/recording.wav`,
    });
    const audio = await api('GET', `/calls/${row.linkedId}/recording.wav`);
    expect(audio.status).toBe(200);
    expect(audio.headers.get('content-type')).toBe('audio/wav');
    expect(Buffer.from(await audio.arrayBuffer()).equals(readFileSync(file))).toBe(true);
    // The token is required; a path out of the folder is refused.
    expect(
      (await api('GET', `/calls/${row.linkedId}/recording.wav`, undefined, `sb_${'x'.repeat(36)}`)).status,
    ).toBe(401);
    for (const id of ['..%2F..%2Fetc%2Fpasswd', '.hidden', 'a%2Fb']) {
      expect((await api('GET', `/calls/${id}/recording.wav`)).status, id).toBe(400);
    }
  });

  it('records nothing when the rule is for the other direction', async () => {
    const put = await api('PUT', '/recording', { rules: [{ id: 'sample-out', direction: 'outbound' }] });
    expect(put.status).toBe(200);
    const before = new Set(readdirSync(monitor));
    const row = await fiveSecondCall();
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(readdirSync(monitor).filter((name) => !before.has(name))).toEqual([]);
    expect(await (await api('GET', `/calls/${row.linkedId}/recording`)).json()).toEqual({
      linkedId: row.linkedId,
      available: false,
    });
    expect((await api('GET', `/calls/${row.linkedId}/recording.wav`)).status).toBe(404);
  });

  it('a caller ID of `"; rm -rf /` changes nothing on disk but its own <linkedid>.wav', async () => {
    expect((await api('PUT', '/recording', { rules: [{ id: 'all', direction: 'both' }] })).status).toBe(200);
    // The "Twilio" caller with a hostile display name and user part.
    const hostile = readFileSync(
      join(chroot, RUN_DIR.slice(1), 'scenarios', 'twilio-voicemail.xml'),
      'utf8',
    ).replaceAll('From: <sip:[caller]@[local_ip]>', 'From: "\\"; rm -rf /" <sip:[caller]@[local_ip]>');
    expect(hostile).toContain('rm -rf /');
    writeFileSync(join(chroot, RUN_DIR.slice(1), 'scenarios', 'twilio-call-hostile.xml'), hostile);
    const sentinel = join(monitor, '..', 'sentinel.txt');
    writeFileSync(sentinel, 'still here');
    const before = new Set(readdirSync(monitor));
    const row = await fiveSecondCall('twilio-call-hostile');
    // The call is recorded as any other (5 s of the caller's tone), under its linkedid only.
    const bytes = await settledSize(join(monitor, `${row.linkedId}.wav`));
    expect(Math.abs((bytes - 44) / 16_000 - 5)).toBeLessThanOrEqual(1);
    expect(readdirSync(monitor).filter((name) => !before.has(name))).toEqual([`${row.linkedId}.wav`]);
    expect(readdirSync(monitor).every((name) => /^[0-9A-Za-z._-]+\.wav$/.test(name))).toBe(true);
    expect(readFileSync(sentinel, 'utf8')).toBe('still here');
    expect(errorsIn(started.log.lines)).toEqual([]);
  });
});

/**
 * Debian's DTMF pcaps come from one capture: `1` has lower RTP sequence numbers and timestamps
 * than `*`, so played after it Asterisk drops it as old. This copy moves `digit`'s packets later
 * (sequence + `shift`, timestamp + 20 x `shift`; UDP checksum 0, "none" in IPv4), so a sequence of
 * presses can be played in order.
 */
function laterDtmfPcap(digit: string, shift: number): string {
  const pcap = Buffer.from(readFileSync(join(chroot, `usr/share/sip-tester/dtmf_2833_${digit}.pcap`)));
  for (let offset = 24; offset < pcap.length; ) {
    const length = pcap.readUInt32LE(offset + 8);
    const ip = offset + 16 + 14; // record header, Ethernet
    const udp = ip + (pcap.readUInt8(ip) & 0x0f) * 4;
    const rtp = udp + 8;
    pcap.writeUInt16BE(0, udp + 6);
    pcap.writeUInt16BE((pcap.readUInt16BE(rtp + 2) + shift) & 0xffff, rtp + 2);
    pcap.writeUInt32BE((pcap.readUInt32BE(rtp + 4) + 20 * shift) >>> 0, rtp + 4);
    offset += 16 + length;
  }
  const path = `${RUN_DIR}/scenarios/dtmf_2833_${digit}_${shift}.pcap`;
  writeFileSync(join(chroot, path.slice(1)), pcap);
  return path;
}

/**
 * The desk phone (callee) answers offering RFC 4733, and 1 s after the ACK presses `*1` (`*` then
 * `1`, 300 ms apart) `times` times, 1.5 s between presses, then waits for the BYE.
 */
function deskPressing(times: 0 | 1 | 2): Sipp {
  const name = `phone-answer-star1-x${times}`;
  const play = (path: string) =>
    `<nop><action><exec play_pcap_audio="${path}"/></action></nop>\n  <pause milliseconds="300"/>`;
  const presses = [
    [play('/usr/share/sip-tester/dtmf_2833_star.pcap'), play(laterDtmfPcap('1', 5_000))],
    ['<pause milliseconds="1500"/>', play(laterDtmfPcap('star', 10_000)), play(laterDtmfPcap('1', 15_000))],
  ]
    .slice(0, times)
    .flat()
    .join('\n  ');
  const answer = readFileSync(join(chroot, RUN_DIR.slice(1), 'scenarios', 'phone-answer.xml'), 'utf8')
    .replace(
      'm=audio [media_port] RTP/AVP 0\n      a=rtpmap:0 PCMU/8000',
      'm=audio [media_port] RTP/AVP 0 101\n      a=rtpmap:0 PCMU/8000\n      a=rtpmap:101 telephone-event/8000\n      a=fmtp:101 0-16',
    )
    .replace(
      '<recv request="ACK" crlf="true"/>',
      `<recv request="ACK" crlf="true"/>\n  <pause milliseconds="1000"/>\n  ${presses}`,
    )
    .replace('scenario name="phone-answer"', `scenario name="${name}"`);
  expect(answer).toContain('telephone-event');
  writeFileSync(join(chroot, RUN_DIR.slice(1), 'scenarios', `${name}.xml`), answer);
  const sipp = new Sipp(chroot, { scenario: name, address: '127.0.0.2', mediaPort: 12_200 });
  phones.push(sipp);
  return sipp;
}

describe('recording on demand on real Asterisk 22 (the feature code during a bridged call)', () => {
  it('the desk phone presses *1 while bridged: one file named by the linkedid, on the row', async () => {
    const rule = { id: 'ask', direction: 'inbound', route: 'sample', record: 'on-demand' };
    expect((await api('PUT', '/recording', { rules: [rule] })).status).toBe(200);
    const before = new Set(readdirSync(monitor));
    deskPressing(1);
    const call = await callFromTwilio(chroot, {
      did: '+19863334949',
      durationMs: 5_000,
      scenario: 'twilio-voicemail',
    });
    expect(call.exitCode, call.stderr).toBe(0);
    await expect.poll(async () => (await latestCall())?.disposition, { timeout: 5_000 }).toBe('answered');
    const row = await latestCall();
    if (!row) throw new Error('no call row');
    const bytes = await settledSize(join(monitor, `${row.linkedId}.wav`));
    const seconds = (bytes - 44) / 16_000;
    console.log(`recording on demand: ${bytes} bytes = ${seconds.toFixed(2)} s of a 5 s bridged call`);
    // Started about 1.6 s into the 5 s call (1 s, then * and 1): the rest of the call is in it.
    expect(seconds).toBeGreaterThan(2);
    expect(seconds).toBeLessThan(5);
    expect(readdirSync(monitor).filter((name) => !before.has(name))).toEqual([`${row.linkedId}.wav`]);
    expect(await (await api('GET', `/calls/${row.linkedId}/recording`)).json()).toMatchObject({
      available: true,
      bytes,
    });
    expect(new LabAsterisk(chroot).log()).toContain(`RECORDING: linkedid=${row.linkedId} on-demand=start`);
  });

  it('pressed again, the code stops it: the file holds the time between the two presses', async () => {
    const rule = { id: 'ask', direction: 'inbound', route: 'sample', record: 'on-demand' };
    expect((await api('PUT', '/recording', { rules: [rule] })).status).toBe(200);
    deskPressing(2);
    const call = await callFromTwilio(chroot, {
      did: '+19863334949',
      durationMs: 5_000,
      scenario: 'twilio-voicemail',
    });
    expect(call.exitCode, call.stderr).toBe(0);
    await expect.poll(async () => (await latestCall())?.disposition, { timeout: 5_000 }).toBe('answered');
    const row = await latestCall();
    if (!row) throw new Error('no call row');
    const seconds = ((await settledSize(join(monitor, `${row.linkedId}.wav`))) - 44) / 16_000;
    console.log(`recording on demand, started and stopped: ${seconds.toFixed(2)} s of a 5 s call`);
    // 1.5 s pause + the second * and 1 (about 0.6 s) between the start and the stop.
    expect(seconds).toBeGreaterThan(1);
    expect(seconds).toBeLessThan(3);
    expect(new LabAsterisk(chroot).log()).toContain(`RECORDING: linkedid=${row.linkedId} on-demand=stop`);
  });

  it('without the code, or where a rule says record: false, nothing is recorded', async () => {
    for (const record of ['on-demand', false] as const) {
      const rule = { id: 'ask', direction: 'inbound', route: 'sample', record };
      expect((await api('PUT', '/recording', { rules: [rule] })).status).toBe(200);
      const before = new Set(readdirSync(monitor));
      deskPressing(record === false ? 1 : 0);
      const call = await callFromTwilio(chroot, {
        did: '+19863334949',
        durationMs: 3_000,
        scenario: 'twilio-voicemail',
      });
      expect(call.exitCode, call.stderr).toBe(0);
      await expect.poll(async () => (await latestCall())?.disposition, { timeout: 5_000 }).toBe('answered');
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      expect(
        readdirSync(monitor).filter((name) => !before.has(name)),
        `record: ${record}`,
      ).toEqual([]);
      await Promise.all(phones.splice(0).map((sipp) => sipp.stop()));
    }
    expect(errorsIn(started.log.lines)).toEqual([]);
  });
});
