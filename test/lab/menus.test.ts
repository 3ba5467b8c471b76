import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { readRoutingFile } from '../../agi-server/src/config.js';
import type { RoutingConfigInput } from '../../agi-server/src/routing/model.js';
import { toneWav } from '../support/wav.js';
import { callFromTwilio, errorsIn } from './calls.js';
import { LabAsterisk, RUN_DIR } from './lab.js';
import { LAB_TOKEN, useLabSwitchboard } from './lab-switchboard.js';

// Issue 19, IVR menus, on real Asterisk 22: a SIPp caller sends RFC 4733 DTMF (the pcaps Debian's
// sip-tester ships) to a menu that Read() collects; `next` routes on the digit.
const chroot = inject('labChroot');
const base = readRoutingFile(new URL('routing.lab.yaml', import.meta.url).pathname);
const MENU_DID = '+19863334960';
const seed: RoutingConfigInput = {
  ...base,
  routes: [
    ...(base.routes ?? []),
    {
      id: 'ivr',
      did: MENU_DID,
      plans: {
        open: [
          {
            type: 'menu',
            prompt: 'beep',
            options: [
              { digit: '1', goTo: { step: 2 } },
              { digit: '2', goTo: { step: 3 } },
              // Another route: the ring group of route `group` (phones 100 and 101, 10 s).
              { digit: '3', goTo: { route: 'group' } },
            ],
            timeoutSeconds: 2,
            tries: 3,
            onTimeout: { step: 4 },
            onInvalid: { step: 5 },
          },
          { type: 'voicemail', mailbox: '100' },
          { type: 'ring-group', extensions: ['100', '101'], timeoutSeconds: 3, advanceOn: [] },
          { type: 'extension', extension: '101', timeoutSeconds: 3, advanceOn: [] },
          { type: 'extension', extension: '100', timeoutSeconds: 3, advanceOn: [] },
        ],
      },
    },
  ],
};
// Asterisk's sounds/custom folder in the lab chroot: a menu plays uploads as custom/<name>.
const lab = useLabSwitchboard(chroot, {
  seed,
  env: { SB_SOUNDS_DIR: join(chroot, 'usr/share/asterisk/sounds/custom') },
});

/**
 * "Twilio" calling the menu: offers RFC 4733 (telephone-event, payload 101), waits 1.5 s after the
 * answer, plays the DTMF pcap of `digit` (none: stays silent), then waits for the PBX's BYE.
 */
function menuScenario(digit: string | undefined): string {
  const name = `twilio-menu-${digit ?? 'silent'}`;
  const dtmf = digit
    ? `<nop><action><exec play_pcap_audio="/usr/share/sip-tester/dtmf_2833_${digit}.pcap"/></action></nop>`
    : '';
  const xml = `<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="${name}">
  <send retrans="500">
    <![CDATA[
      INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:[caller]@[local_ip]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: 1 INVITE
      Contact: <sip:[caller]@[local_ip]:[local_port]>
      Max-Forwards: 70
      X-Twilio-CallSid: [callsid]
      Content-Type: application/sdp
      Content-Length: [len]

      v=0
      o=- 1 1 IN IP[local_ip_type] [local_ip]
      s=-
      c=IN IP[media_ip_type] [media_ip]
      t=0 0
      m=audio [media_port] RTP/AVP 0 101
      a=rtpmap:0 PCMU/8000
      a=rtpmap:101 telephone-event/8000
      a=fmtp:101 0-16
    ]]>
  </send>
  <recv response="100" optional="true"/>
  <recv response="180" optional="true"/>
  <recv response="183" optional="true"/>
  <recv response="200"/>
  <send>
    <![CDATA[
      ACK sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:[caller]@[local_ip]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: 1 ACK
      Contact: <sip:[caller]@[local_ip]:[local_port]>
      Max-Forwards: 70
      Content-Length: 0
    ]]>
  </send>
  <pause milliseconds="1500"/>
  ${dtmf}
  <recv request="BYE"/>
  <send>
    <![CDATA[
      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:]
      [last_Call-ID:]
      [last_CSeq:]
      Content-Length: 0
    ]]>
  </send>
</scenario>
`;
  writeFileSync(join(chroot, RUN_DIR.slice(1), 'scenarios', `${name}.xml`), xml);
  return name;
}

/** Calls the menu pressing `digit` (or nothing); which extensions rang, the row, the wall time. */
async function callMenu(digit: string | undefined) {
  const at100 = lab.phone('127.0.0.2', 'phone-ring');
  const at101 = lab.phone('127.0.0.3', 'phone-ring');
  const startedAt = Date.now();
  const call = await callFromTwilio(chroot, {
    did: MENU_DID,
    scenario: menuScenario(digit),
    timeoutSeconds: 30,
  });
  const wallMs = Date.now() - startedAt;
  expect(call.exitCode, call.stderr).toBe(0);
  const [a, b] = await Promise.all([at100.stop(), at101.stop()]);
  const rang = [
    ...(a.logs.some((line) => line.includes('rang user=100')) ? ['100'] : []),
    ...(b.logs.some((line) => line.includes('rang user=101')) ? ['101'] : []),
  ];
  await expect.poll(async () => (await lab.latestCall())?.endedAt, { timeout: 5_000 }).toBeDefined();
  return { rang, row: await lab.latestCall(), wallMs };
}

describe('IVR menu on real Asterisk 22 (RFC 4733 DTMF from SIPp)', () => {
  it('DTMF 2: the ring group of option 2 rings; the row records the digit', async () => {
    const { rang, row } = await callMenu('2');
    expect(rang).toEqual(['100', '101']);
    expect(row).toMatchObject({
      routeId: 'ivr',
      steps: [
        { attempt: 0, outcome: 'pressed 2' },
        { attempt: 2, targets: ['100', '101'] },
      ],
    });
  });

  it('no digit: the prompt plays 3 times, then the timeout destination (extension 101) rings', async () => {
    const { rang, row } = await callMenu(undefined);
    expect(rang).toEqual(['101']);
    expect(row).toMatchObject({
      steps: [
        { attempt: 0, outcome: 'no input' },
        { attempt: 3, targets: ['101'] },
      ],
    });
    // Three tries of the prompt (a short beep) and the 2 s digit timeout each before step 4.
    const waitedMs = Date.parse(row?.steps[1]?.at ?? '') - Date.parse(row?.steps[0]?.at ?? '');
    expect(waitedMs).toBeGreaterThanOrEqual(6_000);
    expect(waitedMs).toBeLessThan(9_000);
    // Asterisk's own account: Read() played the prompt three times for this call.
    const channelLines = new LabAsterisk(chroot)
      .log()
      .split('\n')
      .filter((line) => line.includes('app_read.c: User entered nothing'));
    expect(channelLines.slice(-3).map((line) => line.replace(/^.*User entered /, ''))).toEqual([
      'nothing, 2 chances left',
      'nothing, 1 chance left',
      'nothing.',
    ]);
  });

  it('DTMF 3, an option to another route: the ring group of that route rings; the row names the route', async () => {
    const { rang, row } = await callMenu('3');
    expect(rang).toEqual(['100', '101']);
    expect(row).toMatchObject({
      routeId: 'ivr',
      steps: [
        { attempt: 0, outcome: 'pressed 3' },
        // The other route's attempts are numbered from 1000: they never take the menu's place.
        {
          attempt: 1000,
          label: 'route group: ring-group 100,101 for 10s',
          targets: ['100', '101'],
          outcome: 'no-answer',
        },
      ],
    });
    console.log(`menu to another route: row ${JSON.stringify(row?.steps)}`);
  });

  it('an invalid digit: the invalid destination (extension 100) rings', async () => {
    const { rang, row } = await callMenu('7');
    expect(rang).toEqual(['100']);
    expect(row).toMatchObject({
      steps: [
        { attempt: 0, outcome: 'pressed 7' },
        { attempt: 4, targets: ['100'] },
      ],
    });
    expect(errorsIn(lab.started.log.lines)).toEqual([]);
  });

  it('plays a prompt uploaded through the API (custom/<name>), live on the next call', async () => {
    const auth = { authorization: `Bearer ${LAB_TOKEN}` };
    const upload = await fetch(`${lab.started.apiUrl}/sounds/lab-menu`, {
      method: 'PUT',
      headers: { ...auth, 'content-type': 'audio/wav' },
      body: Uint8Array.from(toneWav(0.8)),
    });
    expect(upload.status).toBe(200);
    const route = (await (await fetch(`${lab.started.apiUrl}/routes/ivr`, { headers: auth })).json()) as {
      did: string;
      plans: { open: Array<Record<string, unknown>> };
    };
    route.plans.open[0] = { ...route.plans.open[0], prompt: 'custom/lab-menu' };
    const put = await fetch(`${lab.started.apiUrl}/routes/ivr`, {
      method: 'PUT',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ did: route.did, plans: route.plans }),
    });
    expect(put.status).toBe(200);
    const { rang } = await callMenu('2');
    expect(rang).toEqual(['100', '101']);
    // file.c names the format it decoded: the 8 kHz WAV is read as `slin`.
    expect(new LabAsterisk(chroot).log()).toMatch(/Playing 'custom\/lab-menu\.slin'/);
  });
});
