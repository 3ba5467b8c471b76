import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadAsteriskSettings } from '../../agi-server/src/asterisk/load-settings.js';
import { renderAsteriskConfig } from '../../agi-server/src/asterisk/render.js';
import { completeSecrets, readSecrets } from '../../agi-server/src/asterisk/secrets.js';
import { TWILIO_SIGNALING_RANGES } from '../../agi-server/src/asterisk/settings.js';

const example = loadAsteriskSettings('asterisk-config/settings.example.yaml');

function render() {
  const { secrets } = completeSecrets(example, { extensions: {} });
  return { files: renderAsteriskConfig(example, secrets), secrets };
}

describe('asterisk-config rendering', () => {
  it('identifies Twilio by every edge range and keeps it in [from-twilio]', () => {
    const pjsip = render().files.get('pjsip.conf') ?? '';
    for (const range of TWILIO_SIGNALING_RANGES) expect(pjsip).toContain(`match=${range}`);
    expect(pjsip).toMatch(/\[twilio\]\ntype=endpoint[\s\S]*?context=from-twilio/);
  });

  it('gives every extension a strong generated password, never a placeholder', () => {
    const { files, secrets } = render();
    const pjsip = files.get('pjsip.conf') ?? '';
    for (const extension of example.extensions) {
      const password = secrets.extensions[extension.number]?.password ?? '';
      expect(password.length).toBeGreaterThanOrEqual(32);
      expect(pjsip).toContain(`password=${password}`);
    }
    expect(pjsip).not.toMatch(/changeme|password=\s*$/m);
    expect(render().secrets.extensions['100']?.password).not.toBe(secrets.extensions['100']?.password);
  });

  it('wires the AGI call, the AGISTATUS fallback and the settings into the dialplan', () => {
    const dialplan = render().files.get('extensions.conf') ?? '';
    expect(dialplan).toContain('SB_AGI=agi://127.0.0.1:4573');
    expect(dialplan).toContain('AGI(${SB_AGI}/inbound?did=${URIENCODE(${EXTEN})}');
    expect(dialplan).toContain('GotoIf($["${AGISTATUS}" != "SUCCESS"]?sb-fallback,s,1)');
    expect(dialplan).toContain('SB_FALLBACK_DIAL=PJSIP/101');
    expect(dialplan).toContain('exten => 100,1,Dial(PJSIP/100,30)');
    expect(dialplan).not.toMatch(/\{\{/);
  });

  it('loads only listed modules, including the header functions and res_agi with res_speech', () => {
    const modules = render().files.get('modules.conf') ?? '';
    expect(modules).toContain('autoload=no');
    for (const module of ['res_pjsip_header_funcs.so', 'res_agi.so', 'res_speech.so', 'func_uri.so']) {
      expect(modules).toContain(`load => ${module}`);
    }
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
        {
          encoding: 'utf8',
        },
      );
    run();
    const first = readFileSync(join(dir, 'out', 'pjsip.conf'), 'utf8');
    run();
    expect(readFileSync(join(dir, 'out', 'pjsip.conf'), 'utf8')).toBe(first);
    expect(Object.keys(readSecrets(secretsPath).extensions)).toEqual(['100', '101']);
  });
});
