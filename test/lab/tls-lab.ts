import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadAsteriskSettings } from '../../agi-server/src/asterisk/load-settings.js';
import { renderAsteriskConfig } from '../../agi-server/src/asterisk/render.js';
import { completeSecrets, type Secrets } from '../../agi-server/src/asterisk/secrets.js';
import { checkTlsFiles } from '../../agi-server/src/asterisk/tls-files.js';
import { CORE_CONFIG, LabAsterisk } from './lab.js';

/**
 * The TLS lab (test/lab/tls.test.ts): two more Asterisk instances in the lab chroot, each with its
 * own tree under /lab-tls, beside the shared lab Asterisk (untouched, on 127.0.0.1):
 * - the PBX on 127.0.0.8, configured by the project's renderer from settings.tls.lab.yaml
 *   (strict mode, TLS on 5061, SDES-SRTP towards Twilio);
 * - "Twilio" on 127.0.0.7: TLS on 5061 and UDP on 5060, SDES-SRTP, calling the PBX as Twilio's
 *   <Dial><Sip>…;transport=tls;secure=true does, and answering the PBX's TLS trunk.
 * Certificates come from a test CA made with openssl at run time (SAN = the IP addresses).
 */

const HERE = fileURLToPath(new URL('.', import.meta.url));

export const TLS_ROOT = '/lab-tls';
export const PBX_ADDRESS = '127.0.0.8';
export const TWILIO_ADDRESS = '127.0.0.7';
export const PBX_RUN_DIR = `${TLS_ROOT}/pbx`;
export const TWILIO_RUN_DIR = `${TLS_ROOT}/twilio`;
const KEYS = `${TLS_ROOT}/keys`;

/** A path inside the chroot, seen from the host. */
export const hostPath = (chroot: string, path: string) => join(chroot, path.slice(1));

function openssl(args: string[]): void {
  execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** A leaf certificate for `address` signed by the test CA in `dir` (ca.crt, ca.key). */
export function issueCertificate(dir: string, name: string, address: string, commonName: string): void {
  const key = join(dir, `${name}.key`);
  const csr = join(dir, `${name}.csr`);
  const ext = join(dir, `${name}.ext`);
  openssl([
    'req',
    '-new',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    `/CN=${commonName}`,
    '-keyout',
    key,
    '-out',
    csr,
  ]);
  writeFileSync(ext, `subjectAltName=IP:${address}\nextendedKeyUsage=serverAuth,clientAuth\n`);
  openssl([
    'x509',
    '-req',
    '-in',
    csr,
    '-CA',
    join(dir, 'ca.crt'),
    '-CAkey',
    join(dir, 'ca.key'),
    '-CAcreateserial',
    '-days',
    '2',
    '-sha256',
    '-extfile',
    ext,
    '-out',
    join(dir, `${name}.crt`),
  ]);
}

function makeTestCa(dir: string): void {
  mkdirSync(dir, { recursive: true });
  openssl([
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    '/CN=Switchboard lab test CA',
    '-keyout',
    join(dir, 'ca.key'),
    '-out',
    join(dir, 'ca.crt'),
  ]);
  issueCertificate(dir, 'pbx', PBX_ADDRESS, 'switchboard-lab-pbx');
  issueCertificate(dir, 'twilio', TWILIO_ADDRESS, 'fake-twilio');
}

function instanceTree(chroot: string, runDir: string): string {
  const root = hostPath(chroot, runDir);
  for (const dir of ['etc', 'db', 'spool', 'run', 'log/cdr-custom'])
    mkdirSync(join(root, dir), { recursive: true });
  for (const name of CORE_CONFIG) copyFileSync(join(chroot, 'etc/asterisk', name), join(root, 'etc', name));
  const asteriskConf = readFileSync(join(HERE, 'asterisk', 'asterisk.conf'), 'utf8').replaceAll(
    '/lab-run/',
    `${runDir}/`,
  );
  writeFileSync(join(root, 'etc', 'asterisk.conf'), asteriskConf);
  copyFileSync(join(HERE, 'asterisk', 'logger.conf'), join(root, 'etc', 'logger.conf'));
  return join(root, 'etc');
}

/** "Twilio": how it reaches the PBX. `pbx`: TLS + SRTP; `pbx-udp`: UDP + SRTP; `pbx-plain`: TLS, plain RTP. */
export type TwilioPeer = 'pbx' | 'pbx-udp' | 'pbx-plain';

function twilioPjsip(): string {
  const endpoint = (name: TwilioPeer, transport: string, encryption: string[], aor: string) =>
    [
      `[${name}]`,
      'type=endpoint',
      `transport=${transport}`,
      'context=from-pbx',
      'disallow=all',
      'allow=ulaw',
      'direct_media=no',
      ...encryption,
      `aors=${aor}`,
      '',
    ].join('\n');
  return [
    `[transport-tls]\ntype=transport\nprotocol=tls\nbind=${TWILIO_ADDRESS}:5061`,
    `cert_file=${KEYS}/twilio.crt\npriv_key_file=${KEYS}/twilio.key\nca_list_file=${KEYS}/ca.crt`,
    'method=tlsv1_2\nverify_server=yes\n',
    `[transport-udp]\ntype=transport\nprotocol=udp\nbind=${TWILIO_ADDRESS}:5060\n`,
    endpoint('pbx', 'transport-tls', ['media_encryption=sdes', 'media_encryption_optimistic=no'], 'pbx-tls'),
    endpoint(
      'pbx-udp',
      'transport-udp',
      ['media_encryption=sdes', 'media_encryption_optimistic=no'],
      'pbx-udp',
    ),
    endpoint('pbx-plain', 'transport-tls', ['media_encryption=no'], 'pbx-tls'),
    `[pbx-tls]\ntype=aor\ncontact=sip:${PBX_ADDRESS}:5061;transport=tls\n`,
    `[pbx-udp]\ntype=aor\ncontact=sip:${PBX_ADDRESS}:5060\n`,
    `[pbx-identify]\ntype=identify\nendpoint=pbx\nmatch=${PBX_ADDRESS}\n`,
  ].join('\n');
}

/**
 * "Twilio"'s dialplan. A call is `channel originate Local/<DID>@dial-<peer> application Playback
 * hello-world`: the Local channel dials the PBX with X-SB- headers (as the Function puts them in
 * the <Sip> URI) and logs one TWILIO-CALL line with the outcome. Calls from the PBX's trunk log a
 * TWILIO-TRUNK line with their security, are answered and hung up after 2 s.
 */
function twilioDialplan(): string {
  const dial = (peer: TwilioPeer) =>
    [
      `[dial-${peer}]`,
      'exten => _+X.,1,Set(_LAB_DID=${EXTEN})',
      ` same => n,Dial(PJSIP/\${EXTEN}@${peer},15,b(sb-headers^s^1))`,
      ' same => n,Set(LAB_SIP=${HANGUPCAUSE(${HANGUPCAUSE_KEYS()},tech)})',
      ' same => n,Hangup()',
      `exten => h,1,Log(NOTICE,TWILIO-CALL: peer=${peer} did=\${LAB_DID} dialstatus=\${DIALSTATUS} answeredtime=\${ANSWEREDTIME} sip=\${LAB_SIP})`,
      '',
    ].join('\n');
  return [
    '[general]\nstatic=yes\nwriteprotect=yes\n',
    '[sb-headers]',
    'exten => s,1,Set(PJSIP_HEADER(add,X-SB-Did)=${LAB_DID})',
    ' same => n,Set(PJSIP_HEADER(add,X-SB-Caller)=+15551230001)',
    ' same => n,Set(PJSIP_HEADER(add,X-Twilio-CallSid)=CA0123456789abcdef0123456789abcdef)',
    ' same => n,Return()\n',
    dial('pbx'),
    dial('pbx-udp'),
    dial('pbx-plain'),
    '[from-pbx]',
    'exten => _[+0-9].,1,Answer()',
    ' same => n,Log(NOTICE,TWILIO-TRUNK: exten=${EXTEN} to=${PJSIP_HEADER(read,To)} pjsip_secure=${CHANNEL(pjsip,secure)} rtp_secure_audio=${CHANNEL(rtp,secure,audio)})',
    ' same => n,Playback(hello-world)',
    ' same => n,Hangup()',
    '',
  ].join('\n');
}

export interface TlsLab {
  readonly pbx: LabAsterisk;
  readonly twilio: LabAsterisk;
  readonly secrets: Secrets;
  /** The test CA's directory on the host (ca.crt, pbx.crt, …). */
  readonly keysDir: string;
}

/** Makes the CA and both instance trees (fresh every run); nothing is started. */
export function installTlsLab(chroot: string): TlsLab {
  rmSync(hostPath(chroot, TLS_ROOT), { recursive: true, force: true });
  const keysDir = hostPath(chroot, KEYS);
  makeTestCa(keysDir);

  const pbxEtc = instanceTree(chroot, PBX_RUN_DIR);
  const settings = loadAsteriskSettings(join(HERE, 'settings.tls.lab.yaml'));
  // The renderer's own check, with the chroot as Asterisk's `/`.
  if (settings.sip.tls) checkTlsFiles(settings.sip.tls, chroot);
  const { secrets } = completeSecrets(settings, { extensions: {} });
  const rendered = renderAsteriskConfig(settings, secrets, {
    LAB_TRUNK_USERNAME: 'lab-trunk-user',
    LAB_TRUNK_PASSWORD: 'lab-trunk-password-nothing-checks',
  });
  for (const [name, text] of rendered) writeFileSync(join(pbxEtc, name), text);

  const twilioEtc = instanceTree(chroot, TWILIO_RUN_DIR);
  writeFileSync(join(twilioEtc, 'pjsip.conf'), twilioPjsip());
  writeFileSync(join(twilioEtc, 'extensions.conf'), twilioDialplan());
  // The PBX's module list (the renderer's), HANGUPCAUSE() to log the SIP answer and the CLI's
  // `channel originate` to place calls.
  writeFileSync(
    join(twilioEtc, 'modules.conf'),
    `${rendered.get('modules.conf') ?? ''}\nload => func_hangupcause.so\nload => res_clioriginate.so\n`,
  );
  writeFileSync(join(twilioEtc, 'rtp.conf'), '[general]\nrtpstart=33000\nrtpend=34998\n');
  // The rest of what those modules read (no phones here).
  for (const name of ['cdr.conf', 'cdr_custom.conf', 'voicemail.conf'])
    writeFileSync(join(twilioEtc, name), rendered.get(name) ?? '');
  writeFileSync(join(twilioEtc, 'pjsip_wizard.conf'), '');

  return {
    pbx: new LabAsterisk(chroot, PBX_RUN_DIR),
    twilio: new LabAsterisk(chroot, TWILIO_RUN_DIR),
    secrets,
    keysDir,
  };
}

/**
 * One call from "Twilio" to the PBX's DID (the CLI returns at once): once answered, "Twilio" plays
 * `prompt` (hello-world: 1 s; demo-thanks: 5 s) and hangs up.
 */
export async function callFromFakeTwilio(
  twilio: LabAsterisk,
  did: string,
  peer: TwilioPeer = 'pbx',
  prompt: 'hello-world' | 'demo-thanks' = 'hello-world',
): Promise<void> {
  await twilio.cli(`channel originate Local/${did}@dial-${peer} application Playback ${prompt}`);
}

/** The NOTICE/WARNING lines of messages.log (from character `from` on) that contain `marker`. */
export function logLines(asterisk: LabAsterisk, marker: string, from = 0): string[] {
  return asterisk
    .log()
    .slice(from)
    .split('\n')
    .filter((line) => !line.includes(' VERBOSE[') && line.includes(marker));
}

/** openssl s_client against the PBX's TLS port: its output (the handshake, or why it failed). */
export function tlsClient(
  keysDir: string,
  version: '-tls1_1' | '-tls1_2' | '-tls1_3',
): { ok: boolean; output: string } {
  const args = [
    's_client',
    '-connect',
    `${PBX_ADDRESS}:5061`,
    version,
    // So that the client really offers TLS 1.1 (OpenSSL 3 refuses it at its default level).
    '-cipher',
    'DEFAULT:@SECLEVEL=0',
    '-CAfile',
    join(keysDir, 'ca.crt'),
    '-verify_return_error',
    '-showcerts',
  ];
  // stdin at EOF: s_client ends right after the handshake.
  const result = spawnSync('openssl', args, { input: '', timeout: 10_000 });
  return { ok: result.status === 0, output: `${result.stdout}${result.stderr}` };
}

/** The serial of the certificate the PBX serves now (openssl s_client | openssl x509). */
export function servedCertificate(keysDir: string): { serial: string; subject: string } {
  const { output } = tlsClient(keysDir, '-tls1_2');
  const pem = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/.exec(output)?.[0];
  if (!pem) throw new Error(`no certificate served: ${output}`);
  const text = execFileSync('openssl', ['x509', '-noout', '-serial', '-subject'], { input: pem }).toString();
  return {
    serial: /serial=(\S+)/.exec(text)?.[1] ?? '',
    subject: (/subject=(.+)/.exec(text)?.[1] ?? '').replaceAll(' ', ''),
  };
}

/** tcpdump on loopback (in the test's network namespace) into a file; stop() returns the file. */
export class LoopbackCapture {
  private readonly child: ChildProcess;
  private readonly listening: Promise<void>;

  constructor(
    readonly file: string,
    filter: string,
  ) {
    // --immediate-mode and -U: each packet reaches the file at once (else the last second's packets
    // wait in the kernel's ring and are lost at stop); -Z root: keep the right to write the file.
    this.child = spawn(
      'tcpdump',
      ['-i', 'lo', '-nn', '-s', '0', '--immediate-mode', '-U', '-Z', 'root', '-w', file, filter],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    this.listening = new Promise((resolve, reject) => {
      let text = '';
      this.child.stderr?.on('data', (chunk: Buffer) => {
        text += chunk.toString();
        if (text.includes('listening on')) resolve();
      });
      this.child.once('exit', (code) => reject(new Error(`tcpdump exited (${code}): ${text}`)));
    });
  }

  ready(): Promise<void> {
    return this.listening;
  }

  async stop(): Promise<Buffer> {
    if (this.child.exitCode === null) {
      const exited = new Promise((resolve) => this.child.once('exit', resolve));
      this.child.kill('SIGINT');
      await exited;
    }
    return readFileSync(this.file);
  }
}

/** `tcpdump -r`: one line per packet, starting with its time (epoch seconds). */
export function readCapture(file: string, filter = ''): string[] {
  return execFileSync('tcpdump', ['-nn', '-tt', '-r', file, ...(filter ? [filter] : [])], {
    stdio: ['ignore', 'pipe', 'ignore'],
    maxBuffer: 64 << 20,
  })
    .toString()
    .split('\n')
    .filter(Boolean);
}
