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
});
