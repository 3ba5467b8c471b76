import { execFileSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { AsteriskSettings } from './settings.js';

/**
 * The TLS transport's files (see docs/tls.md). An operator's files (from an ACME client such as
 * certbot, or their own CA) are used as they are and only checked; without any, a self-signed
 * pair is made once with openssl, so that a first try needs no certificate work.
 *
 * openssl by a child process rather than an npm library: it is already on every PBX (Asterisk's
 * own TLS links it), it writes the PEM files Asterisk reads, and no key material passes through
 * this process. Its arguments are fixed or validated settings: no shell is involved.
 */

type TlsSettings = NonNullable<AsteriskSettings['sip']['tls']>;

const FILES = [
  ['certFile', 'sip.tls.certFile'],
  ['keyFile', 'sip.tls.keyFile'],
  ['caFile', 'sip.tls.caFile'],
] as const;

/**
 * Throws one line naming the first configured file that cannot be read. `root`: where Asterisk's
 * `/` is on this machine (a chroot, a mounted image), `/` when rendering on the PBX itself.
 */
export function checkTlsFiles(tls: TlsSettings, root = '/'): void {
  for (const [key, name] of FILES) {
    const path = tls[key];
    if (!path) continue;
    try {
      accessSync(join(root, path), constants.R_OK);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
      throw new Error(`${name} ${path} cannot be read (${code})`);
    }
  }
}

export const SELF_SIGNED_NAMES = {
  certFile: 'switchboard-self-signed.crt',
  keyFile: 'switchboard-self-signed.key',
};

/**
 * A self-signed certificate and key in `dir` (kept if already there, so a re-render does not
 * change the certificate Twilio sees), valid for `address` (IP SAN). Returns their absolute paths.
 */
export function ensureSelfSigned(
  dir: string,
  address: string,
): { certFile: string; keyFile: string; created: boolean } {
  const certFile = resolve(dir, SELF_SIGNED_NAMES.certFile);
  const keyFile = resolve(dir, SELF_SIGNED_NAMES.keyFile);
  if (existsSync(certFile) && existsSync(keyFile)) return { certFile, keyFile, created: false };
  mkdirSync(dir, { recursive: true, mode: 0o750 });
  const subjectAltName = address === '0.0.0.0' ? 'DNS:localhost' : `IP:${address}`;
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-sha256',
      '-days',
      '825',
      '-subj',
      `/CN=switchboard-pbx`,
      '-addext',
      `subjectAltName=${subjectAltName}`,
      '-keyout',
      keyFile,
      '-out',
      certFile,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  return { certFile, keyFile, created: true };
}

/**
 * Settings whose TLS transport has certificate files: the operator's (checked), or a self-signed
 * pair under `keysDir`. `notice` receives one line when a pair is made or reused.
 */
export function withTlsFiles(
  settings: AsteriskSettings,
  keysDir: string,
  notice: (line: string) => void,
): AsteriskSettings {
  const tls = settings.sip.tls;
  if (!tls) return settings;
  if (tls.certFile && tls.keyFile) {
    checkTlsFiles(tls);
    return settings;
  }
  const address = settings.sip.externalAddress ?? settings.sip.bind;
  const pair = ensureSelfSigned(keysDir, address);
  notice(
    `sip.tls has no certFile/keyFile: ${pair.created ? 'made' : 'using'} a self-signed certificate ${pair.certFile} ` +
      '(for a first try; Twilio may refuse it: set certFile/keyFile to a real certificate, see docs/tls.md)',
  );
  const withPair = { ...tls, certFile: pair.certFile, keyFile: pair.keyFile };
  checkTlsFiles(withPair);
  return { ...settings, sip: { ...settings.sip, tls: withPair } };
}
