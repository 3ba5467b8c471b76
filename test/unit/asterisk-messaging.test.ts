import { describe, expect, it } from 'vitest';
import { loadAsteriskSettings } from '../../agi-server/src/asterisk/load-settings.js';
import { renderAsteriskConfig } from '../../agi-server/src/asterisk/render.js';
import { completeSecrets } from '../../agi-server/src/asterisk/secrets.js';
import { asteriskSettingsSchema } from '../../agi-server/src/asterisk/settings.js';

const example = loadAsteriskSettings('asterisk-config/settings.example.yaml');
const env = { TWILIO_TRUNK_USERNAME: 'example-user', TWILIO_TRUNK_PASSWORD: 'example-placeholder-password' };

describe('asterisk-config for texts', () => {
  it('loads res_pjsip_messaging and renders no manager unless asked', () => {
    const { secrets } = completeSecrets(example, { extensions: {} });
    const files = renderAsteriskConfig(example, secrets, env);
    expect(files.get('modules.conf')).toContain('load => res_pjsip_messaging.so');
    expect(files.has('manager.conf')).toBe(false);
    expect(files.get('pjsip_wizard.conf')).not.toContain('max_contacts=2');
  });

  it('renders the AMI user on loopback with a generated secret, and several contacts per extension', () => {
    const settings = asteriskSettingsSchema.parse({
      ...example,
      extensions: example.extensions.map((extension, index) =>
        index === 0 ? { ...extension, maxContacts: 2 } : extension,
      ),
      manager: {},
    });
    const { secrets, changed } = completeSecrets(settings, { extensions: {} });
    expect(changed).toBe(true);
    expect(secrets.managerSecret?.length).toBeGreaterThanOrEqual(32);
    const files = renderAsteriskConfig(settings, secrets, env);
    const manager = files.get('manager.conf') ?? '';
    expect(manager).toContain('bindaddr=127.0.0.1');
    expect(manager).toContain(`[switchboard]\nsecret=${secrets.managerSecret}`);
    expect(manager).toMatch(/deny=0\.0\.0\.0\/0\.0\.0\.0\npermit=127\.0\.0\.1\/32/);
    const first = example.extensions[0]?.number;
    expect(files.get('pjsip_wizard.conf')).toMatch(
      new RegExp(`\\[${first}\\]\\(phone\\)[^[]*aor/max_contacts=2\\naor/remove_existing=no`),
    );
    // The same secret on the next render (kept in the secrets file).
    expect(completeSecrets(settings, secrets).changed).toBe(false);
  });

  it('gives every phone its own message_context naming it, and never hands the body over unescaped', () => {
    const { secrets } = completeSecrets(example, { extensions: {} });
    const files = renderAsteriskConfig(example, secrets, env);
    const wizard = files.get('pjsip_wizard.conf') ?? '';
    const dialplan = files.get('extensions.conf') ?? '';
    expect(files.get('modules.conf')).toContain('load => func_base64.so');
    for (const { number } of example.extensions) {
      expect(wizard).toMatch(
        new RegExp(`\\[${number}\\]\\(phone\\)[^[]*endpoint/message_context=sb-text-${number}\\n`),
      );
      // The endpoint's name is a constant of its own context: not ${EXTEN}, not the From header.
      expect(dialplan).toContain(
        `[sb-text-${number}]\nexten => _[*#+0-9A-Za-z]!,1,Set(SB_TEXT_TO=\${EXTEN})\n same => n,Gosub(sb-text,s,1(${number}))`,
      );
    }
    const start = dialplan.indexOf('\n[sb-text]\n');
    const text = dialplan
      .slice(start, dialplan.indexOf('\n[sb-text-', start))
      .split('\n')
      .filter((line) => !line.startsWith(';'))
      .join('\n');
    // MESSAGE(body) is read only into a variable; every function after it takes the variable's
    // name, or its value with % and : escaped (Asterisk reads a ':' after ')' as an offset).
    expect(text.match(/MESSAGE\(body\)/g)).toHaveLength(1);
    expect(text).toContain('exten => s,1,Set(SB_TEXT_B64=${MESSAGE(body)})');
    expect(text.indexOf('STRREPLACE(SB_TEXT_B64,:,%3A)')).toBeLessThan(
      text.indexOf('BASE64_ENCODE(${SB_TEXT_B64})'),
    );
    expect(text).not.toMatch(/\$\{[A-Z_0-9]+\([^)]*\$\{MESSAGE\(body\)\}/);
    expect(text).not.toMatch(/MESSAGE\((from|to)\)/);
  });
});
