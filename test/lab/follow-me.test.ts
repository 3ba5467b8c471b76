import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { readRoutingFile } from '../../agi-server/src/config.js';
import type { RoutingConfigInput } from '../../agi-server/src/routing/model.js';
import { callFromTwilio, errorsIn } from './calls.js';
import { LabAsterisk, RUN_DIR, Sipp } from './lab.js';
import { useLabSwitchboard } from './lab-switchboard.js';

// Issue 19, follow-me, on real Asterisk 22: the desk phone (SIPp, 127.0.0.2) rings and does not
// answer; the "mobile" is SIPp on the far side of trunk east (127.0.0.5, Twilio's side of the
// trunk). Answering, it hears the screening prompt and presses 1 (RFC 4733, Debian sip-tester's
// dtmf_2833_1.pcap) -> bridged with the caller; answering without a key -> the call goes on to
// voicemail. The trunk leg's caller ID is the one the outbound policy gives extension 100.
const chroot = inject('labChroot');
const base = readRoutingFile(new URL('routing.lab.yaml', import.meta.url).pathname);
const FOLLOW_DID = '+19863334962';
const MOBILE = '+12125551234';
const seed: RoutingConfigInput = {
  ...base,
  extensions: (base.extensions ?? []).map((extension) =>
    extension.number === '100'
      ? { ...extension, followMe: { deskSeconds: 2, numbers: [MOBILE], ringSeconds: 10 } }
      : extension,
  ),
  routes: [
    ...(base.routes ?? []),
    {
      id: 'follow',
      did: FOLLOW_DID,
      plans: {
        open: [
          { type: 'extension', extension: '100' },
          { type: 'voicemail', mailbox: '100' },
        ],
      },
    },
  ],
};
const lab = useLabSwitchboard(chroot, { seed });

/**
 * Twilio's side of trunk east: logs the INVITE (Request-URI, From and P-Asserted-Identity users),
 * answers offering RFC 4733, presses `digit` 1.5 s after the ACK (none: stays silent, as a
 * voicemail greeting would), and waits for the PBX's BYE.
 */
function mobile(digit: string | undefined): Sipp {
  const name = `trunk-mobile-${digit ?? 'silent'}`;
  const dtmf = digit
    ? `<nop><action><exec play_pcap_audio="/usr/share/sip-tester/dtmf_2833_${digit}.pcap"/></action></nop>`
    : '';
  // trunk-answer.xml (logs the INVITE, answers, waits for the BYE) with RFC 4733 offered and a key.
  const xml = readFileSync(join(chroot, RUN_DIR.slice(1), 'scenarios', 'trunk-answer.xml'), 'utf8')
    .replace('scenario name="trunk-answer"', `scenario name="${name}"`)
    .replace(
      'm=audio [media_port] RTP/AVP 0\n      a=rtpmap:0 PCMU/8000',
      'm=audio [media_port] RTP/AVP 0 101\n      a=rtpmap:0 PCMU/8000\n      a=rtpmap:101 telephone-event/8000\n      a=fmtp:101 0-16',
    )
    .replace(
      '<recv request="ACK" crlf="true"/>',
      `<recv request="ACK" crlf="true"/>\n  <nop><action><log message="answered"/></action></nop>\n  <pause milliseconds="1500"/>\n  ${dtmf}`,
    )
    .replace(
      '<recv request="BYE"/>',
      '<recv request="BYE"/>\n  <nop><action><log message="bye from pbx"/></action></nop>',
    );
  expect(xml).toContain('telephone-event');
  expect(xml).toContain('bye from pbx');
  writeFileSync(join(chroot, RUN_DIR.slice(1), 'scenarios', `${name}.xml`), xml);
  return lab.keep(new Sipp(chroot, { scenario: name, address: '127.0.0.5', mediaPort: 13_000 }));
}

/** The SCREEN: lines Asterisk logged for this call (sb-screen in extensions.conf). */
function screenLines(linkedId: string): string[] {
  return new LabAsterisk(chroot)
    .log()
    .split('\n')
    .filter((line) => / NOTICE\[.*SCREEN: /.test(line) && line.includes(`linkedid=${linkedId} `))
    .map((line) => line.replace(/^.*SCREEN: /, ''));
}

describe('follow-me on real Asterisk 22 (desk phone, then the mobile through the trunk, screened)', () => {
  it('the desk phone does not answer; the mobile answers and presses 1: bridged with the caller', async () => {
    const desk = lab.phone('127.0.0.2', 'phone-ring');
    const phone = mobile('1');
    const startedAt = Date.now();
    const call = await callFromTwilio(chroot, { did: FOLLOW_DID, durationMs: 3_000, timeoutSeconds: 60 });
    expect(call.exitCode, call.stderr).toBe(0);
    const wallMs = Date.now() - startedAt;
    const [deskSeen, mobileSeen] = await Promise.all([desk.stop(), phone.stop()]);
    expect(deskSeen.logs.some((line) => line.includes('rang user=100'))).toBe(true);
    // The trunk leg: the mobile's E.164 in the Request-URI, extension 100's owned DID as caller ID.
    expect(mobileSeen.logs).toEqual([
      `invite ruri=sip:${MOBILE}@switchboard-lab.pstn.twilio.com from=+19863334950 pai=+19863334950`,
      'answered',
      // The caller (twilio-call) hung up after 3 s bridged: Asterisk ended the mobile's leg.
      'bye from pbx',
    ]);
    await expect.poll(async () => (await lab.latestCall())?.endedAt, { timeout: 5_000 }).toBeDefined();
    const row = await lab.latestCall();
    expect(row).toMatchObject({
      routeId: 'follow',
      disposition: 'answered',
      steps: [
        { attempt: 0, label: 'follow-me 100: desk phone for 2s', outcome: 'no-answer' },
        { attempt: 1, targets: [MOBILE], outcome: 'answered' },
      ],
    });
    expect(screenLines(row?.linkedId ?? '')).toEqual([expect.stringMatching(/result=accepted$/)]);
    console.log(`follow-me accepted: ${wallMs} ms wall time, row ${JSON.stringify(row?.steps)}`);
    expect(errorsIn(lab.started.log.lines)).toEqual([]);
  });

  it('the mobile answers and presses nothing (its voicemail): the call goes on to voicemail 100', async () => {
    const desk = lab.phone('127.0.0.2', 'phone-ring');
    const phone = mobile(undefined);
    const startedAt = Date.now();
    // VoiceMail() answers the caller: twilio-call holds 2 s after the 200, then hangs up.
    const call = await callFromTwilio(chroot, { did: FOLLOW_DID, durationMs: 2_000, timeoutSeconds: 60 });
    expect(call.exitCode, call.stderr).toBe(0);
    const wallMs = Date.now() - startedAt;
    const mobileSeen = await phone.stop();
    await desk.stop();
    // The screening ended the mobile's leg: it got the PBX's BYE, never the caller.
    expect(mobileSeen.logs.slice(1)).toEqual(['answered', 'bye from pbx']);
    await expect.poll(async () => (await lab.latestCall())?.endedAt, { timeout: 5_000 }).toBeDefined();
    const row = await lab.latestCall();
    expect(row).toMatchObject({
      routeId: 'follow',
      disposition: 'voicemail',
      steps: [
        { attempt: 0, outcome: 'no-answer' },
        { attempt: 1, targets: [MOBILE], outcome: 'busy' },
        { attempt: 2, label: 'voicemail 100' },
      ],
    });
    expect(screenLines(row?.linkedId ?? '')).toEqual([expect.stringMatching(/result=declined digit=$/)]);
    console.log(`follow-me declined: ${wallMs} ms wall time, row ${JSON.stringify(row?.steps)}`);
  });
});
