import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadAsteriskSettings } from '../../agi-server/src/asterisk/load-settings.js';
import { renderAsteriskConfig } from '../../agi-server/src/asterisk/render.js';
import { completeSecrets } from '../../agi-server/src/asterisk/secrets.js';
import { asteriskSettingsSchema } from '../../agi-server/src/asterisk/settings.js';
import { checkTlsFiles } from '../../agi-server/src/asterisk/tls-files.js';

// The command-line tests spawn `npm run` (several seconds each on a busy machine): 60 s each.
// Issue 20: the TLS transport, SDES-SRTP towards Twilio and strict mode, as rendered. The same
// files carry real calls in test/lab/tls.test.ts.

const EXAMPLE = 'asterisk-config/settings.tls.example.yaml';
const KEYS = { certFile: '/etc/asterisk/keys/pbx.crt', keyFile: '/etc/asterisk/keys/pbx.key' };
const base = {
  extensions: [{ number: '100', name: 'Reception' }],
  fallback: { dial: 'PJSIP/100', mailbox: '100' },
};
const tlsTrunk = {
  id: 'twilio-east',
  termination: 'acme.pstn.twilio.com',
  transport: 'tls',
  srtp: true,
  usernameEnv: 'TRUNK_USER',
  passwordEnv: 'TRUNK_PASS',
};
const env = { TRUNK_USER: 'pbx-user', TRUNK_PASS: 'from-the-environment-000' };

function render(input: Record<string, unknown>) {
  const settings = asteriskSettingsSchema.parse({ ...base, ...input });
  const files = renderAsteriskConfig(settings, completeSecrets(settings, { extensions: {} }).secrets, env);
  return { pjsip: files.get('pjsip.conf') ?? '', dialplan: files.get('extensions.conf') ?? '' };
}

/** One section of a rendered .conf file, by name and type, up to its blank line. */
function section(text: string, name: string, type: string): string {
  const part = text
    .split(/\n(?=\[)/)
    .find((candidate) => candidate.startsWith(`[${name}]`) && candidate.includes(`\ntype=${type}\n`));
  return part ? `${part.split('\n\n')[0]}\n` : '';
}

function asteriskConfig(args: string[]) {
  const result = spawnSync('npm', ['run', '--silent', 'asterisk-config', '--', ...args], {
    encoding: 'utf8',
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr.replace(/^npm warn.*\n/gm, '') };
}

describe('asterisk-config: TLS and SRTP towards Twilio', () => {
  it('strict: TLS 1.2 transport with the CA, the Twilio endpoint SRTP-only on TLS behind its ACL, trunks on 5061', () => {
    const { pjsip, dialplan } = render({
      sip: { tls: { ...KEYS, caFile: '/etc/ssl/certs/ca-certificates.crt' } },
      twilio: { signalingRanges: ['54.172.60.0/30', '54.244.51.0/30'], strict: true },
      trunks: [{ ...tlsTrunk, outboundProxy: 'sip:203.0.113.9:5061' }],
    });
    expect(section(pjsip, 'transport-tls', 'transport')).toBe(
      [
        '[transport-tls]',
        'type=transport',
        'protocol=tls',
        'bind=0.0.0.0:5061',
        'cert_file=/etc/asterisk/keys/pbx.crt',
        'priv_key_file=/etc/asterisk/keys/pbx.key',
        'ca_list_file=/etc/ssl/certs/ca-certificates.crt',
        'method=tlsv1_2',
        'verify_server=yes',
        'verify_client=no',
        '',
      ].join('\n'),
    );
    const twilio = section(pjsip, 'twilio', 'endpoint');
    expect(twilio).toContain('transport=transport-tls\n');
    expect(twilio).toContain('media_encryption=sdes\nmedia_encryption_optimistic=no\n');
    expect(twilio).toContain('deny=0.0.0.0/0.0.0.0\npermit=54.172.60.0/30\npermit=54.244.51.0/30\n');
    expect(section(pjsip, 'twilio-identify', 'identify')).toContain(
      'match=54.172.60.0/30\nmatch=54.244.51.0/30',
    );
    const trunk = section(pjsip, 'twilio-east', 'endpoint');
    expect(trunk).toContain('transport=transport-tls\n');
    expect(trunk).toContain('media_encryption=sdes\nmedia_encryption_optimistic=no\n');
    expect(trunk).toContain('outbound_proxy=sip:203.0.113.9:5061\\;transport=tls\\;lr');
    expect(section(pjsip, 'twilio-east', 'aor')).toContain(
      'contact=sip:acme.pstn.twilio.com:5061;transport=tls\n',
    );

    // The dialplan refuses a call not on TLS before anything else runs, and logs each call's security.
    expect(dialplan).toMatch(
      /exten => _\[\+0-9\]\.,1,NoOp\([^\n]*\n same => n,Log\(NOTICE,SECURITY: at=arrival [^\n]*pjsip_secure=\$\{CHANNEL\(pjsip,secure\)\}\)\n same => n,GotoIf\(\$\["\$\{CHANNEL\(pjsip,secure\)\}" != "1"\]\?sb-insecure,s,1\)\n/,
    );
    expect(dialplan).toMatch(/\[sb-insecure\]\nexten => s,1,Log\(WARNING,[^\n]*\n same => n,Hangup\(21\)/);
    expect(dialplan).toMatch(
      /\[sb-hangup\]\nexten => s,1,[^\n]*\n same => n,Log\(NOTICE,SECURITY: at=hangup [^\n]*rtp_secure_audio=\$\{CHANNEL\(rtp,secure,audio\)\}\)\n/,
    );
    expect(dialplan).not.toMatch(/\{\{/);
  });

  it('not strict: SRTP when Twilio offers it, plain RTP otherwise, nothing refused; without TLS nothing changes', () => {
    const { pjsip, dialplan } = render({ sip: { tls: KEYS } });
    const twilio = section(pjsip, 'twilio', 'endpoint');
    expect(twilio).toContain('transport=transport-udp\n');
    expect(twilio).toContain('media_encryption=sdes\nmedia_encryption_optimistic=yes\n');
    expect(dialplan).toContain('SECURITY: at=arrival');
    expect(dialplan).not.toContain('sb-insecure');

    const plain = render({});
    expect(plain.pjsip).not.toContain('transport-tls');
    expect(plain.pjsip).not.toContain('media_encryption');
    expect(plain.dialplan).not.toContain('SECURITY:');
    expect(plain.dialplan).not.toContain('CHANNEL(rtp');
  });

  it('refuses strict mode without TLS or with a trunk in clear, and a certificate without its key', () => {
    const paths = (input: Record<string, unknown>) =>
      asteriskSettingsSchema
        .safeParse({ ...base, ...input })
        .error?.issues.map((issue) => issue.path.join('.'));
    expect(paths({ twilio: { strict: true } })).toEqual(['twilio.strict']);
    expect(
      paths({
        sip: { tls: KEYS },
        twilio: { strict: true },
        trunks: [
          { ...tlsTrunk, srtp: false },
          { ...tlsTrunk, id: 't2', transport: 'udp', srtp: false },
        ],
      }),
    ).toEqual(['trunks.0.srtp', 'trunks.1.srtp']);
    expect(paths({ sip: { tls: { certFile: KEYS.certFile } } })).toEqual(['sip.tls.certFile']);
  });

  it('names the first certificate file it cannot read, in one line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-tls-files-'));
    writeFileSync(join(dir, 'pbx.crt'), 'x');
    writeFileSync(join(dir, 'pbx.key'), 'x');
    expect(() =>
      checkTlsFiles({ port: 5061, verifyServer: true, certFile: '/pbx.crt', keyFile: '/pbx.key' }, dir),
    ).not.toThrow();
    expect(() =>
      checkTlsFiles(
        { port: 5061, verifyServer: true, certFile: '/pbx.crt', keyFile: '/pbx.key', caFile: '/ca.crt' },
        dir,
      ),
    ).toThrow(/^sip\.tls\.caFile \/ca\.crt cannot be read \(ENOENT\)$/);
  });

  it('ships settings.tls.example.yaml: it validates, and renders with a self-signed pair made once and said so', () => {
    const settings = loadAsteriskSettings(EXAMPLE);
    expect(settings.sip.tls).toMatchObject({ port: 5061, verifyServer: true });
    expect(settings.twilio.strict).toBe(true);

    const dir = mkdtempSync(join(tmpdir(), 'sb-tls-example-'));
    const out = join(dir, 'out');
    const args = ['--settings', EXAMPLE, '--secrets', join(dir, 'secrets.yaml'), '--out', out];
    const first = asteriskConfig(args);
    expect(first.code, first.stderr).toBe(0);
    const certFile = join(out, 'keys', 'switchboard-self-signed.crt');
    expect(first.stderr).toBe(
      `asterisk-config: sip.tls has no certFile/keyFile: made a self-signed certificate ${certFile} ` +
        '(for a first try; Twilio may refuse it: set certFile/keyFile to a real certificate, see docs/tls.md)\n',
    );
    const pjsip = readFileSync(join(out, 'pjsip.conf'), 'utf8');
    expect(pjsip).toContain(
      `cert_file=${certFile}\npriv_key_file=${join(out, 'keys', 'switchboard-self-signed.key')}\n`,
    );
    const certificate = new X509Certificate(readFileSync(certFile));
    expect(certificate.subject).toBe('CN=switchboard-pbx');
    expect(certificate.checkIssued(certificate)).toBe(true);
    expect(readFileSync(join(out, 'extensions.conf'), 'utf8')).toContain('[sb-insecure]');

    // Rendered again: the same pair is kept (the certificate Twilio sees does not change).
    const second = asteriskConfig(args);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toContain(`using a self-signed certificate ${certFile}`);
    expect(new X509Certificate(readFileSync(certFile)).serialNumber).toBe(certificate.serialNumber);
  }, 60_000);

  it('refuses to render when a configured certificate file is missing, naming it, and writes nothing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-tls-missing-'));
    const settings = join(dir, 'settings.yaml');
    writeFileSync(
      settings,
      readFileSync(EXAMPLE, 'utf8')
        .replace(
          '# certFile: /etc/letsencrypt/live/pbx.example.com/fullchain.pem',
          `certFile: ${dir}/missing.pem`,
        )
        .replace(
          '# keyFile: /etc/letsencrypt/live/pbx.example.com/privkey.pem',
          `keyFile: ${dir}/missing.key`,
        ),
    );
    const result = asteriskConfig([
      '--settings',
      settings,
      '--secrets',
      join(dir, 's.yaml'),
      '--out',
      join(dir, 'out'),
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `asterisk-config: sip.tls.certFile ${dir}/missing.pem cannot be read (ENOENT)\n`,
    );
    expect(spawnSync('ls', [join(dir, 'out')]).status).not.toBe(0);
  }, 60_000);
});
