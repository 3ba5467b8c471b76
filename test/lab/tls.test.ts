import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { readRoutingFile } from '../../agi-server/src/config.js';
import { startSwitchboard } from '../support/switchboard.js';
import { Sipp, type SippResult, startPhone } from './lab.js';
import {
  callFromFakeTwilio,
  installTlsLab,
  issueCertificate,
  LoopbackCapture,
  logLines,
  PBX_ADDRESS,
  readCapture,
  servedCertificate,
  type TlsLab,
  tlsClient,
} from './tls-lab.js';

// Issue 20 on real Asterisk 22: "Twilio" (a second Asterisk on 127.0.0.7, TLS + SDES-SRTP) and
// the PBX (a third, 127.0.0.8, rendered by the project from settings.tls.lab.yaml: strict mode)
// with certificates from a test CA made now; the phones are SIPp on 127.0.0.12 (100) over UDP.
// The shared lab Asterisk (127.0.0.1) is not touched. Run inside a network namespace: tcpdump
// captures its loopback.
const chroot = inject('labChroot');
const seed = readRoutingFile(new URL('routing.lab.yaml', import.meta.url).pathname);
const DID = '+19863334949'; // route `sample`: extension 100
const PHONE_100 = '127.0.0.12';
/** Twilio <-> PBX only: the phone legs are plain UDP on purpose (a LAN). */
const TWILIO_PBX = 'host 127.0.0.7 and host 127.0.0.8';
/** PCMU every 20 ms: 12 bytes of RTP header + 160; SRTP adds an 80-bit tag (AES_CM_128_HMAC_SHA1_80). */
const RTP_LENGTH = 172;
const SRTP_LENGTH = 182;

let lab: TlsLab;
let started: Awaited<ReturnType<typeof startSwitchboard>>;
const captures = mkdtempSync(join(tmpdir(), 'sb-tls-capture-'));

beforeAll(async () => {
  lab = installTlsLab(chroot);
  await Promise.all([lab.pbx.start(), lab.twilio.start()]);
  started = await startSwitchboard({ seed, agiPort: 4583, withoutApi: true });
});
afterAll(async () => {
  await Promise.all([lab?.pbx.stop(), lab?.twilio.stop()]);
  await started?.switchboard.close(1_000);
});
/** Phones and captures a test started: stopped after it even when it fails half-way. */
let running: Array<{ stop(): Promise<unknown> }> = [];
afterEach(async () => {
  await Promise.all(running.map((process) => process.stop()));
  running = [];
});

async function capture(name: string, filter = TWILIO_PBX): Promise<LoopbackCapture> {
  const tcpdump = new LoopbackCapture(join(captures, `${name}.pcap`), filter);
  running.push(tcpdump);
  await tcpdump.ready();
  return tcpdump;
}

function phone100(): Sipp {
  const phone = startPhone(chroot, PHONE_100);
  running.push(phone);
  return phone;
}

/** Waits for `count` TWILIO-CALL lines logged since `from` (one per call, when it ends). */
async function twilioCallsEnded(from: number, count: number, timeout = 30_000): Promise<string[]> {
  await expect.poll(() => logLines(lab.twilio, 'TWILIO-CALL:', from).length, { timeout }).toBe(count);
  return logLines(lab.twilio, 'TWILIO-CALL:', from);
}

const udpLengths = (file: string, filter: string) =>
  readCapture(file, filter).map((line) => Number(/UDP, length (\d+)/.exec(line)?.[1] ?? -1));

describe('TLS signalling and SRTP media between Twilio and the PBX (strict mode)', () => {
  it('loads the rendered TLS config: TLS 1.2 served with the CA-signed certificate; TLS 1.1 gets alert 70', () => {
    const tls12 = tlsClient(lab.keysDir, '-tls1_2');
    expect(tls12.ok, tls12.output).toBe(true);
    expect(tls12.output).toContain('Protocol  : TLSv1.2');
    expect(tls12.output).toContain('Verify return code: 0 (ok)');
    expect(servedCertificate(lab.keysDir).subject).toBe('CN=switchboard-lab-pbx');
    // A client limited to TLS 1.1 (offered for real: SECLEVEL=0) is refused by the server.
    const tls11 = tlsClient(lab.keysDir, '-tls1_1');
    expect(tls11.ok).toBe(false);
    expect(tls11.output).toMatch(/alert protocol version[\s\S]*SSL alert number 70/);
    // method=tlsv1_2 is exactly TLS 1.2 with this pjproject (measured; Twilio speaks 1.2).
    expect(tlsClient(lab.keysDir, '-tls1_3').output).toContain('SSL alert number 70');
  });

  it('10 calls over TLS with SRTP reach extension 100, are bridged and logged secure; no clear text on the wire', async () => {
    const phone = phone100();
    const [wire, phoneLeg] = await Promise.all([
      capture('ten-calls'),
      capture('phone-leg', `host ${PHONE_100}`),
    ]);
    const pbxFrom = lab.pbx.log().length;
    const twilioFrom = lab.twilio.log().length;
    const routedBefore = started.log.lines.filter((line) => line.event === 'inbound-call').length;
    for (let call = 0; call < 10; call++) await callFromFakeTwilio(lab.twilio, DID);
    const ended = await twilioCallsEnded(twilioFrom, 10);
    const answered = (await phone.stop()).logs.filter((line) => line.includes('answered user=100'));
    const wireBytes = await wire.stop();
    const phoneBytes = await phoneLeg.stop();

    expect(ended.filter((line) => /dialstatus=ANSWER answeredtime=\d+ /.test(line))).toHaveLength(10);
    expect(answered).toHaveLength(10);
    expect(started.log.lines.filter((line) => line.event === 'inbound-call').length - routedBefore).toBe(10);
    const arrival = logLines(lab.pbx, 'SECURITY: at=arrival', pbxFrom);
    const hangup = logLines(lab.pbx, 'SECURITY: at=hangup', pbxFrom).filter((line) =>
      line.includes('endpoint=twilio'),
    );
    expect(arrival.filter((line) => line.endsWith('pjsip_secure=1'))).toHaveLength(10);
    expect(hangup.filter((line) => line.endsWith('pjsip_secure=1 rtp_secure_audio=1'))).toHaveLength(10);

    // The wire between Twilio and the PBX: TLS and SRTP only.
    const wireFile = join(captures, 'ten-calls.pcap');
    const tlsPackets = readCapture(wireFile, 'tcp port 5061');
    const media = udpLengths(wireFile, 'udp and src host 127.0.0.7');
    expect(tlsPackets.length).toBeGreaterThan(20);
    expect(wireBytes.includes('INVITE')).toBe(false);
    expect(wireBytes.includes('X-SB-')).toBe(false);
    expect(wireBytes.includes('SIP/2.0')).toBe(false);
    // hello-world plays about 0.75 s: some 37 packets of 20 ms per call.
    expect(media.filter((length) => length === SRTP_LENGTH).length).toBeGreaterThanOrEqual(10 * 30);
    expect(media.filter((length) => length === RTP_LENGTH)).toHaveLength(0);
    // The same grep finds clear text where there is some: the phone leg (plain UDP on the LAN).
    expect(phoneBytes.includes('INVITE')).toBe(true);
    const phoneMedia = udpLengths(
      join(captures, 'phone-leg.pcap'),
      `udp and dst host ${PHONE_100} and not port 5060`,
    );
    expect(phoneMedia.filter((length) => length === RTP_LENGTH).length).toBeGreaterThanOrEqual(10 * 30);
    console.info(
      `tls: 10 calls: answered=${answered.length} arrival pjsip_secure=1: ${arrival.length}, hangup rtp_secure_audio=1: ${hangup.length}; ` +
        `capture ${wireBytes.length} bytes, ${tlsPackets.length} TLS packets, ${media.length} UDP from Twilio ` +
        `(${media.filter((length) => length === SRTP_LENGTH).length} of ${SRTP_LENGTH} bytes), INVITE=${Number(wireBytes.includes('INVITE'))} X-SB-=${Number(wireBytes.includes('X-SB-'))}; ` +
        `phone leg ${phoneBytes.length} bytes, INVITE=${Number(phoneBytes.includes('INVITE'))}, ${phoneMedia.length} RTP packets to the phone`,
    );
  });

  it('strict mode refuses the same call over UDP (403) and with media_encryption=no at the peer (488)', async () => {
    const phone = phone100();
    const wire = await capture('refused');
    const routedBefore = started.log.lines.filter((line) => line.event === 'inbound-call').length;
    const pbxFrom = lab.pbx.log().length;
    const twilioFrom = lab.twilio.log().length;
    await callFromFakeTwilio(lab.twilio, DID, 'pbx-udp');
    const [overUdp] = await twilioCallsEnded(twilioFrom, 1);
    await callFromFakeTwilio(lab.twilio, DID, 'pbx-plain');
    const [plainRtp] = (await twilioCallsEnded(twilioFrom, 2)).slice(1);
    const bytes = await wire.stop();

    expect(overUdp).toMatch(/peer=pbx-udp .*dialstatus=CHANUNAVAIL .*sip=SIP 403 Forbidden$/);
    expect(plainRtp).toMatch(/peer=pbx-plain .*dialstatus=CHANUNAVAIL .*sip=SIP 488 Not Acceptable Here$/);
    expect((await phone.stop()).logs).toEqual([]);
    expect(logLines(lab.pbx, 'refused a Twilio call not on TLS', pbxFrom)).toHaveLength(1);
    // The UDP call was stopped before the AGI server: its X-SB- headers were never used.
    expect(logLines(lab.pbx, 'SECURITY: at=arrival', pbxFrom)).toEqual([
      expect.stringMatching(/pjsip_secure=0$/),
    ]);
    expect(started.log.lines.filter((line) => line.event === 'inbound-call')).toHaveLength(routedBefore);
    // What strict mode is for: the UDP attempt put the INVITE and its X-SB- headers on the wire in clear.
    expect(bytes.includes('INVITE sip:+19863334949@127.0.0.8')).toBe(true);
    expect(bytes.includes('X-SB-Did: +19863334949')).toBe(true);
  });

  it('an outbound call from extension 100 leaves over the TLS trunk with SRTP', async () => {
    const wire = await capture('outbound');
    const twilioFrom = lab.twilio.log().length;
    const call: SippResult = await new Sipp(chroot, {
      scenario: 'phone-dial',
      address: PHONE_100,
      port: 5090,
      mediaPort: 14_000,
      remote: `${PBX_ADDRESS}:5060`,
      service: '92125551234',
      keys: { caller: '100' },
      auth: { user: '100', password: lab.secrets.extensions['100']?.password ?? '' },
      calls: 1,
      durationMs: 1_500,
      timeoutSeconds: 20,
    }).done;
    expect(call.exitCode, call.stderr).toBe(0);
    const bytes = await wire.stop();
    expect(logLines(lab.twilio, 'TWILIO-TRUNK:', twilioFrom)).toEqual([
      expect.stringContaining(
        'exten=+12125551234 to=<sip:+12125551234@switchboard-lab.pstn.twilio.com> pjsip_secure=1 rtp_secure_audio=1',
      ),
    ]);
    expect(bytes.includes('INVITE')).toBe(false);
    expect(
      readCapture(join(captures, 'outbound.pcap'), 'tcp dst port 5061 and src host 127.0.0.8').length,
    ).toBeGreaterThan(0);
    expect(udpLengths(join(captures, 'outbound.pcap'), 'udp and src host 127.0.0.7')).toContain(SRTP_LENGTH);
  });

  it('a certificate replaced and reloaded while a call is up: the call survives, new connections get the new certificate', async () => {
    const phone = phone100();
    const wire = await capture('reload');
    const twilioFrom = lab.twilio.log().length;
    const before = servedCertificate(lab.keysDir);
    await callFromFakeTwilio(lab.twilio, DID, 'pbx', 'demo-thanks');
    await expect
      .poll(
        async () => (await lab.pbx.cli('core show channels concise')).match(/^PJSIP\/twilio-[^!]*!.*!Up!/m),
        {
          timeout: 10_000,
        },
      )
      .toBeTruthy();

    // What an ACME client's deploy hook does: new files at the same paths, then the reload.
    issueCertificate(lab.keysDir, 'renewed', PBX_ADDRESS, 'switchboard-lab-pbx-renewed');
    copyFileSync(join(lab.keysDir, 'renewed.key'), join(lab.keysDir, 'pbx.key'));
    copyFileSync(join(lab.keysDir, 'renewed.crt'), join(lab.keysDir, 'pbx.crt'));
    // The reload's instant on the capture's clock: packet times are the kernel's, which faketime
    // does not move, so not Date.now(); the last packet captured so far (media flows every 20 ms).
    const reloadedAt = Number(readCapture(wire.file).at(-1)?.split(' ')[0]);
    expect(reloadedAt).toBeGreaterThan(0);
    const reload = await lab.pbx.cli('module reload res_pjsip.so');
    expect(reload).toContain("Module 'res_pjsip.so' reloaded successfully.");
    const after = servedCertificate(lab.keysDir);
    expect(after.subject).toBe('CN=switchboard-lab-pbx-renewed');
    expect(after.serial).not.toBe(before.serial);
    expect(await lab.pbx.cli('core show channels concise')).toMatch(/^PJSIP\/twilio-[^!]*!.*!Up!/m);

    // The call plays on to its end (5 s) and hangs up normally.
    const [survived] = await twilioCallsEnded(twilioFrom, 1);
    expect(survived).toMatch(/dialstatus=ANSWER answeredtime=[5-9] /);
    const mediaAfterReload = readCapture(join(captures, 'reload.pcap'), 'udp and src host 127.0.0.7').filter(
      (line) => Number(line.split(' ')[0]) > reloadedAt + 1,
    );
    expect(mediaAfterReload.length).toBeGreaterThan(100);

    // The next call, on a new TLS connection (Twilio's edges open their own; here "Twilio" restarts
    // so that it does not reuse the connection it holds), is served the new certificate: TLS 1.2
    // sends the certificate in the handshake, so its name is on the wire.
    await lab.twilio.stop();
    await lab.twilio.start();
    const afterRestart = lab.twilio.log().length;
    const firstBytes = await wire.stop();
    const next = await capture('after-reload');
    await callFromFakeTwilio(lab.twilio, DID);
    const [nextCall] = await twilioCallsEnded(afterRestart, 1);
    expect(nextCall).toContain('dialstatus=ANSWER');
    const nextBytes = await next.stop();
    expect(nextBytes.includes('switchboard-lab-pbx-renewed')).toBe(true);
    expect(firstBytes.includes('switchboard-lab-pbx-renewed')).toBe(false);
    expect((await phone.stop()).logs.filter((line) => line.includes('answered user=100'))).toHaveLength(2);
    console.info(
      `tls: reload: "${reload.trim()}"; served serial ${before.serial} -> ${after.serial}; call up during reload: ${survived}; ` +
        `UDP packets from Twilio after the reload: ${mediaAfterReload.length}; next call: ${nextCall}`,
    );
  });
});
