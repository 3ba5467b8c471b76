import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadAsteriskSettings } from '../../agi-server/src/asterisk/load-settings.js';
import { renderAsteriskConfig } from '../../agi-server/src/asterisk/render.js';
import { completeSecrets, readSecrets } from '../../agi-server/src/asterisk/secrets.js';
import { asteriskSettingsSchema, TWILIO_SIGNALING_RANGES } from '../../agi-server/src/asterisk/settings.js';

const example = loadAsteriskSettings('asterisk-config/settings.example.yaml');

/** The example's trunk credentials, as the environment would give them (placeholders). */
const TRUNK_ENV = {
  TWILIO_TRUNK_USERNAME: 'example-user',
  TWILIO_TRUNK_PASSWORD: 'example-placeholder-password',
};

function render() {
  const { secrets } = completeSecrets(example, { extensions: {} });
  return { files: renderAsteriskConfig(example, secrets, TRUNK_ENV), secrets };
}

describe('asterisk-config rendering', () => {
  it('identifies Twilio by every edge range and keeps it in [from-twilio]', () => {
    const pjsip = render().files.get('pjsip.conf') ?? '';
    for (const range of TWILIO_SIGNALING_RANGES) expect(pjsip).toContain(`match=${range}`);
    expect(pjsip).toMatch(/\[twilio\]\ntype=endpoint[\s\S]*?context=from-twilio/);
  });

  it('gives every extension a strong generated password, never a placeholder', () => {
    const { files, secrets } = render();
    const wizard = files.get('pjsip_wizard.conf') ?? '';
    for (const extension of example.extensions) {
      const password = secrets.extensions[extension.number]?.password ?? '';
      expect(password.length).toBeGreaterThanOrEqual(32);
      expect(wizard).toContain(`inbound_auth/password=${password}`);
    }
    for (const file of files.values()) expect(file).not.toMatch(/changeme|password=\s*$/m);
    expect(render().secrets.extensions['100']?.password).not.toBe(secrets.extensions['100']?.password);
  });

  it('wires the AGI call, the AGISTATUS fallback and the settings into the dialplan', () => {
    const dialplan = render().files.get('extensions.conf') ?? '';
    expect(dialplan).toContain('SB_AGI=agi://127.0.0.1:4573');
    // The DID and the CallSid, URIENCODE()d once on arrival, serve both the CDR and the request.
    expect(dialplan).toContain('MSet(SB_CDR_DID=${URIENCODE(${EXTEN})},');
    expect(dialplan).toContain('Gosub(sb-agi,s,1(inbound?did=${SB_CDR_DID}&callsid=${SB_CDR_CALLSID}&');
    expect(dialplan).toContain('AGI(${SB_AGI_${target}}/${ARG1})');
    expect(dialplan).toContain('SB_AGI_COUNT=1\nSB_AGI_1=agi://127.0.0.1:4573');
    expect(dialplan).toContain('GotoIf($["${AGISTATUS}" = "SUCCESS"]?sb-route,s,1:sb-fallback,s,1)');
    expect(dialplan).toContain('SB_FALLBACK_DIAL=PJSIP/101');
    expect(dialplan).toContain('exten => 100,1,Dial(PJSIP/100,30)');
    expect(dialplan).not.toMatch(/\{\{/);
  });

  it('renders several AGI servers in order, each AGI request trying them before the fallback', () => {
    const settings = asteriskSettingsSchema.parse({
      ...example,
      agi: { servers: ['agi://10.0.0.5:4573', 'agi://10.0.0.6:4573', 'hagi://agi.example.com'] },
    });
    const dialplan = renderAsteriskConfig(
      settings,
      completeSecrets(settings, { extensions: {} }).secrets,
      TRUNK_ENV,
    ).get('extensions.conf');
    expect(dialplan).toContain(
      'SB_AGI_COUNT=3\nSB_AGI_1=agi://10.0.0.5:4573\nSB_AGI_2=agi://10.0.0.6:4573\nSB_AGI_3=hagi://agi.example.com',
    );
    // Every AGI request of the dialplan goes through the subroutine that tries them in order.
    expect(dialplan?.match(/,AGI\(/g)).toHaveLength(1);
    // next twice: after a Dial and after a menu's Read (docs/menus.md).
    expect(dialplan?.match(/Gosub\(sb-agi,s,1\((inbound|next|hangup|outbound)\?/g)).toHaveLength(5);
    expect(() =>
      asteriskSettingsSchema.parse({ ...example, agi: { url: 'agi://a', servers: ['agi://b'] } }),
    ).toThrow(/not both/);
    expect(() => asteriskSettingsSchema.parse({ ...example, agi: { servers: [] } })).toThrow();
  });

  it('loads only listed modules, including the header functions and res_agi with res_speech', () => {
    const modules = render().files.get('modules.conf') ?? '';
    expect(modules).toContain('autoload=no');
    for (const module of ['res_pjsip_header_funcs.so', 'res_agi.so', 'res_speech.so', 'func_uri.so']) {
      expect(modules).toContain(`load => ${module}`);
    }
  });

  it('bounds every AGI call: one AGI() in the whole dialplan, inside [sb-agi], with its T extension', () => {
    const dialplan = render().files.get('extensions.conf') ?? '';
    expect(dialplan).toContain('SB_AGI_TIMEOUT=2');
    const code = dialplan
      .split('\n')
      .filter((line) => !line.trimStart().startsWith(';'))
      .join('\n');
    expect(code.match(/\bAGI\(/g)).toHaveLength(1);
    const agi = /\[sb-agi\]\n([\s\S]*?)\n\n/.exec(dialplan)?.[1] ?? '';
    expect(agi.split('\n').map((line) => /,(\w+)\(/.exec(line)?.[1])).toEqual([
      'MSet',
      'Set',
      'AGI',
      'Set',
      'GotoIf',
      'Return',
      'Set',
      'GotoIf',
      'Return',
      'Set',
      'Set',
      'Set',
      'Log',
      'Return',
    ]);
    expect(agi).toContain('MSet(AGIEXITONHANGUP=yes,LOCAL(target)=1)');
    // Unreachable, or reached without a decision (all but `hangup` must decide): the next server.
    expect(agi).toContain(
      'GotoIf($["${AGISTATUS}" = "FAILURE" | ("${SB_ACTION}" = "" & "${ARG1:0:6}" != "hangup")]?next)',
    );
    expect(agi).toContain('Set(TIMEOUT(absolute)=${SB_AGI_TIMEOUT})');
    // Each AGI server in turn (agi.servers), each try bounded.
    expect(agi).toContain('AGI(${SB_AGI_${target}}/${ARG1})\n same => n,Set(TIMEOUT(absolute)=0)');
    expect(agi).toMatch(/^exten => T,1,Set\(AGISTATUS=TIMEOUT\)$/m);
    // The scripts, each through the bound; the hangup report on a Local channel of its own.
    for (const script of ['inbound', 'next', 'outbound', 'hangup'])
      expect(dialplan).toContain(`Gosub(sb-agi,s,1(${script}?`);
    expect(dialplan).toMatch(/\[sb-hangup\][\s\S]*Originate\(Local\/s@sb-hangup-report\/n,exten,/);
  });

  it('URIENCODE()s every value the dialplan passes to the AGI server', () => {
    const dialplan = render().files.get('extensions.conf') ?? '';
    const queries = [...dialplan.matchAll(/Gosub\(sb-agi,s,1\(\w+\?(.*)\)\)$/gm)].map(
      (match) => match[1] ?? '',
    );
    expect(queries).toHaveLength(6);
    // The hangup report's values were URIENCODE()d into SB_R_* when the report was originated;
    // the arrival facts into SB_CDR_* by the arrival MSet (every one of them, in both contexts).
    const originate = /Originate\(Local[^\n]*/.exec(dialplan)?.[0] ?? '';
    const arrivals = [...dialplan.matchAll(/,MSet\(SB_CDR_[^\n]*/g)].map((match) => match[0]);
    expect(arrivals).toHaveLength(2);
    for (const query of queries) {
      for (const pair of query.split('&')) {
        const value = pair.slice(pair.indexOf('=') + 1);
        expect(value, pair).toMatch(/^(\$\{URIENCODE\(.*\)\}|\$\{SB_R_[A-Z]+\}|\$\{SB_CDR_[A-Z]+\})$/);
        const carried = /^\$\{(SB_R_[A-Z]+)\}$/.exec(value)?.[1];
        if (carried) expect(originate).toMatch(new RegExp(`${carried}=\\$\\{URIENCODE\\(`));
        const arrived = /^\$\{(SB_CDR_[A-Z]+)\}$/.exec(value)?.[1];
        if (arrived)
          expect(arrivals.some((line) => new RegExp(`[(,]${arrived}=\\$\\{URIENCODE\\(`).test(line))).toBe(
            true,
          );
      }
    }
  });

  it('writes one TRACE line per decision point, and the CDR file the reconciler reads', () => {
    const { files } = render();
    const dialplan = files.get('extensions.conf') ?? '';
    for (const at of ['inbound', 'next', 'outbound', 'fallback'])
      expect(dialplan).toContain(`Gosub(sb-trace,s,1(\${CONTEXT},${at}))`);
    expect(dialplan).toMatch(
      /Log\(NOTICE,TRACE: context=\$\{ARG1\} at=\$\{ARG2\} linkedid=\$\{CHANNEL\(linkedid\)\} route=/,
    );
    // The arrival facts reach the CDR from the hangup handler, which every routed call runs,
    // before it decides whether to report (a call on the static fallback is on record from them).
    const hangup = /\[sb-hangup\]\n([\s\S]*?)\n\n/.exec(dialplan)?.[1] ?? '';
    expect(hangup).toMatch(
      /^exten => s,1,Set\(CDR\(sbdid\)=\$\{SB_CDR_DID\}\)\n same => n,Set\(CDR\(sbcaller\)=\$\{SB_CDR_CALLER\}\)\n same => n,Set\(CDR\(sbcallsid\)=\$\{SB_CDR_CALLSID\}\)\n/,
    );
    expect(hangup.indexOf('CDR(sbcallsid)')).toBeLessThan(hangup.indexOf('SB_FALLBACK'));
    expect(dialplan).not.toMatch(/^[^;\n]*Set\(CDR\(sb(did|caller|callsid)\)=\$\{URIENCODE/m);
    expect(files.get('cdr.conf')).toContain('unanswered=yes');
    expect(files.get('cdr_custom.conf')).toMatch(
      /^\[switchboard-cdr\.json\]\nformat = json\nfields = linkedid, uniqueid, .*sbfallback\(uservar\)$/m,
    );
    const modules = files.get('modules.conf') ?? '';
    for (const module of [
      'func_timeout.so',
      'app_originate.so',
      'func_cdr.so',
      'cdr_custom.so',
      'codec_gsm.so',
    ])
      expect(modules).toContain(`load => ${module}`);
  });

  it('refuses bad settings with the path of each problem', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-settings-'));
    const path = join(dir, 'bad.yaml');
    writeFileSync(
      path,
      'sip: { bind: 999.1.1.1 }\nagi: { url: "http://x" }\nextensions: [{ number: "1x", name: "A" }]\nfallback: { dial: "PJSIP/1,tT", mailbox: "100" }\n',
    );
    expect(() => loadAsteriskSettings(path)).toThrow(
      /sip\.bind[\s\S]*agi\.url[\s\S]*extensions\.0\.number[\s\S]*fallback\.dial/,
    );
  });

  it('keeps secrets stable across renders through the secrets file (CLI)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-render-'));
    const secretsPath = join(dir, 'secrets.yaml');
    const run = () =>
      execFileSync(
        'npx',
        ['tsx', 'agi-server/src/asterisk/render-cli.ts', '--out', join(dir, 'out'), '--secrets', secretsPath],
        { encoding: 'utf8', env: { ...process.env, ...TRUNK_ENV } },
      );
    run();
    const first = readFileSync(join(dir, 'out', 'pjsip.conf'), 'utf8');
    run();
    expect(readFileSync(join(dir, 'out', 'pjsip.conf'), 'utf8')).toBe(first);
    expect(Object.keys(readSecrets(secretsPath).extensions)).toEqual(['100', '101']);
  });
});

/** `npm run asterisk-config -- …` as a user types it. */
function asteriskConfig(args: string[], env: Record<string, string> = {}) {
  const result = spawnSync('npm', ['run', '--silent', 'asterisk-config', '--', ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr.replace(/^npm warn.*\n/gm, '') };
}

describe('asterisk-config command line', () => {
  it('--help prints the usage, no stack trace', () => {
    const { code, stdout, stderr } = asteriskConfig(['--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('Usage: npm run asterisk-config -- --out DIR');
    expect(stdout).toContain('--force');
    expect(stderr).toBe('');
  });

  it('an unknown option or a missing --out is one line pointing at --help', () => {
    for (const args of [['--bogus'], []]) {
      const { code, stderr } = asteriskConfig(args);
      expect(code).toBe(1);
      expect(stderr.trim().split('\n')).toHaveLength(1);
      expect(stderr).toMatch(/^asterisk-config: .*\(see --help\)$/m);
    }
  });

  it("the example settings render as they are (the README's command), printing each file written", () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-render-'));
    const out = join(dir, 'asterisk-out');
    const { code, stdout, stderr } = asteriskConfig([
      '--settings',
      'asterisk-config/settings.example.yaml',
      '--secrets',
      join(dir, 'secrets.yaml'),
      '--out',
      out,
    ]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const names = [
      'pjsip.conf',
      'pjsip_wizard.conf',
      'extensions.conf',
      'modules.conf',
      'voicemail.conf',
      'rtp.conf',
    ];
    for (const name of names) {
      expect(stdout).toContain(`wrote ${join(out, name)}\n`);
      expect(existsSync(join(out, name))).toBe(true);
    }
    expect(stdout).toContain(`generated new secrets into ${join(dir, 'secrets.yaml')}`);
  });

  it("the README's first asterisk-config command works as written, in a fresh clone", () => {
    const command = /^npm run asterisk-config -- [^#\n]*/m
      .exec(readFileSync('README.md', 'utf8'))?.[0]
      ?.trim();
    expect(command).toBe(
      'npm run asterisk-config -- --settings asterisk-config/settings.example.yaml --out asterisk-out',
    );
    const clone = join(mkdtempSync(join(tmpdir(), 'sb-clone-')), 'switchboard');
    execFileSync('git', ['clone', '--quiet', '.', clone]);
    symlinkSync(join(process.cwd(), 'node_modules'), join(clone, 'node_modules'));
    const result = spawnSync('sh', ['-c', command ?? 'false'], { cwd: clone, encoding: 'utf8' });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain('wrote asterisk-out/extensions.conf');
    expect(existsSync(join(clone, 'asterisk-out/pjsip.conf'))).toBe(true);
    expect(existsSync(join(clone, 'asterisk-config/secrets.yaml'))).toBe(true);
  });

  it('never overwrites a file that differs without --force; with it, keeps a .bak', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-render-'));
    const out = join(dir, 'out');
    const args = ['--secrets', join(dir, 'secrets.yaml'), '--out', out];
    expect(asteriskConfig(args).code).toBe(0);
    const rendered = readFileSync(join(out, 'extensions.conf'), 'utf8');
    // Same input again: nothing changes.
    expect(asteriskConfig(args).stdout).toContain(`unchanged ${join(out, 'extensions.conf')}`);

    const edited = `${rendered}\n; edited by hand\n`;
    writeFileSync(join(out, 'extensions.conf'), edited);
    const refused = asteriskConfig(args);
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect(refused.stderr).toContain(`${join(out, 'extensions.conf')} differs from what would be written`);
    expect(refused.stdout).toBe('');
    expect(readFileSync(join(out, 'extensions.conf'), 'utf8')).toBe(edited);

    const forced = asteriskConfig([...args, '--force']);
    expect(forced.code).toBe(0);
    expect(forced.stdout).toContain(`kept the old extensions.conf as ${join(out, 'extensions.conf.bak')}`);
    expect(readFileSync(join(out, 'extensions.conf.bak'), 'utf8')).toBe(edited);
    expect(readFileSync(join(out, 'extensions.conf'), 'utf8')).toBe(rendered);
  });

  it("refuses the example trunk's placeholders in one line naming what to set", () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-render-'));
    const settings = join(dir, 'settings.yaml');
    writeFileSync(
      settings,
      readFileSync('asterisk-config/settings.example.yaml', 'utf8')
        .replace('trunks: []', 'trunks:')
        .replace(/^#(\s+(- id: twilio-trunk|termination:|usernameEnv:|passwordEnv:|transport:))/gm, '$1'),
    );
    const placeholder = asteriskConfig(['--settings', settings, '--out', join(dir, 'out')]);
    expect(placeholder.code).toBe(1);
    expect(placeholder.stderr.trim()).toBe(
      `asterisk-config: invalid Asterisk settings ${settings}: trunks.0.termination: still the example placeholder: set a real value`,
    );
    writeFileSync(settings, readFileSync(settings, 'utf8').replace('your-trunk.pstn', 'acme.pstn'));
    const noCredentials = asteriskConfig(['--settings', settings, '--out', join(dir, 'out')], {
      TWILIO_TRUNK_USERNAME: '',
      TWILIO_TRUNK_PASSWORD: '',
    });
    expect(noCredentials.stderr.trim()).toBe(
      'asterisk-config: trunk twilio-trunk: set TWILIO_TRUNK_USERNAME and TWILIO_TRUNK_PASSWORD in the environment',
    );
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });
});

describe('asterisk-config rendering: trunks, TLS, SRTP, phones', () => {
  const withTrunks = asteriskSettingsSchema.parse({
    sip: { tls: { certFile: '/etc/asterisk/keys/pbx.crt', keyFile: '/etc/asterisk/keys/pbx.key' } },
    extensions: [
      { number: '100', name: 'Reception' },
      { number: '101', name: 'Operator', contact: 'sip:101@192.0.2.10:5060', match: '192.0.2.10' },
    ],
    trunks: [
      {
        id: 'twilio-east',
        termination: 'acme.pstn.twilio.com',
        transport: 'tls',
        srtp: true,
        usernameEnv: 'TRUNK_USER',
        passwordEnv: 'TRUNK_PASS',
      },
      {
        id: 'twilio-west',
        termination: 'acme.pstn.umatilla.twilio.com',
        usernameEnv: 'TRUNK_USER',
        passwordEnv: 'TRUNK_PASS',
      },
    ],
    fallback: { dial: 'PJSIP/101', mailbox: '100' },
  });
  const env = { TRUNK_USER: 'pbx-user', TRUNK_PASS: 'from-the-environment-000' };
  const files = renderAsteriskConfig(
    withTrunks,
    completeSecrets(withTrunks, { extensions: {} }).secrets,
    env,
  );

  it('renders a TLS transport and an SRTP trunk whose Request-URI keeps the termination name', () => {
    const pjsip = files.get('pjsip.conf') ?? '';
    expect(pjsip).toMatch(
      /\[transport-tls\]\ntype=transport\nprotocol=tls\nbind=0\.0\.0\.0:5061\ncert_file=\/etc\/asterisk\/keys\/pbx\.crt/,
    );
    expect(pjsip).toMatch(
      /\[twilio-east\]\ntype=endpoint\ntransport=transport-tls[\s\S]*?send_pai=yes\ntrust_id_outbound=yes\nmedia_encryption=sdes/,
    );
    expect(pjsip).toContain('contact=sip:acme.pstn.twilio.com:5061;transport=tls');
    expect(pjsip).toContain('contact=sip:acme.pstn.umatilla.twilio.com');
  });

  it('takes trunk credentials from the environment and names the missing variable', () => {
    expect(files.get('pjsip.conf')).toContain('username=pbx-user\npassword=from-the-environment-000');
    expect(() =>
      renderAsteriskConfig(withTrunks, completeSecrets(withTrunks, { extensions: {} }).secrets, {}),
    ).toThrow(/TRUNK_USER and TRUNK_PASS/);
  });

  it('renders phones through a pjsip_wizard template with generated passwords', () => {
    const wizard = files.get('pjsip_wizard.conf') ?? '';
    expect(wizard).toMatch(/^\[phone\]\(!\)\ntype=wizard/m);
    expect(wizard).toMatch(
      /^\[100\]\(phone\)\ninbound_auth\/username=100\ninbound_auth\/password=[A-Za-z0-9_-]{32}$/m,
    );
    expect(wizard).toContain('aor/contact=sip:101@192.0.2.10:5060');
    expect(files.get('pjsip.conf')).toMatch(
      /\[101-identify\]\ntype=identify\nendpoint=101\nmatch=192\.0\.2\.10/,
    );
  });

  it('keeps emergency numbers and extensions working in the static fallback, nothing else', () => {
    const dialplan = files.get('extensions.conf') ?? '';
    expect(dialplan).toMatch(
      /exten => 911,1,Log\(WARNING,[^\n]*\n same => n,Dial\(PJSIP\/911@twilio-east,60\)\n same => n,Dial\(PJSIP\/911@twilio-west,60\)/,
    );
    expect(dialplan).toContain('exten => 9911,1,');
    expect(dialplan).toMatch(
      /\[sb-outbound-fallback\][\s\S]*exten => _\[\*#\+0-9\]\.,1,Log\(WARNING,Switchboard AGI unavailable: outbound call/,
    );
    expect(dialplan).toMatch(
      /\[from-internal\][\s\S]*MSet\(SB_CDR_DID=\$\{URIENCODE\(\$\{EXTEN\}\)\},SB_CDR_CALLER=\$\{URIENCODE\(\$\{CHANNEL\(endpoint\)\}\)\}[\s\S]*Gosub\(sb-agi,s,1\(outbound\?endpoint=\$\{SB_CDR_CALLER\}&dialled=\$\{SB_CDR_DID\}/,
    );
  });

  it("voicemail (docs/voicemail.md): the linkedid rides in VM_CATEGORY; *97 opens the phone's own box; AMI may move and delete", () => {
    const dialplan = files.get('extensions.conf') ?? '';
    expect(dialplan).toMatch(
      /Set\(VM_CATEGORY=\$\{FILTER\(0-9A-Za-z\._-,\$\{CHANNEL\(linkedid\)\}\)\}\)\n same => n,VoiceMail\(\$\{SB_MAILBOX\},u\)/,
    );
    expect(dialplan).toMatch(/Set\(VM_CATEGORY=[^\n]*\n same => n,VoiceMail\(\$\{SB_FALLBACK_MAILBOX\},u\)/);
    expect(dialplan).toMatch(
      /\[from-internal\]\n(;[^\n]*\n)*exten => \*97,1,[^\n]*\n same => n,Set\(SB_BOX=\$\{PJSIP_ENDPOINT\(\$\{CHANNEL\(endpoint\)\},mailboxes\)\}\)\n[^\n]*\n same => n,VoiceMailMain\(\$\{SB_BOX\}\)/,
    );
    expect(files.get('modules.conf')).toContain('load => func_pjsip_endpoint.so');
  });

  it('refuses a TLS trunk without a TLS transport, SRTP over UDP, and a termination that is not Twilio', () => {
    const bad = asteriskSettingsSchema.safeParse({
      extensions: [{ number: '100', name: 'A' }],
      trunks: [
        {
          id: 't1',
          termination: 'acme.pstn.twilio.com',
          transport: 'tls',
          usernameEnv: 'U',
          passwordEnv: 'P',
        },
        { id: 't2', termination: 'acme.pstn.twilio.com', srtp: true, usernameEnv: 'U', passwordEnv: 'P' },
        { id: 't3', termination: 'sip.example.com', usernameEnv: 'U', passwordEnv: 'P' },
      ],
      fallback: { dial: 'PJSIP/100', mailbox: '100' },
    });
    expect(bad.error?.issues.map((issue) => issue.path.join('.'))).toEqual(
      expect.arrayContaining(['trunks.0.transport', 'trunks.1.srtp', 'trunks.2.termination']),
    );
  });
});
