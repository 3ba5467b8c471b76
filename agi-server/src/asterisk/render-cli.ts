import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadAsteriskSettings } from './load-settings.js';
import { renderAsteriskConfig } from './render.js';
import { completeSecrets, readSecrets, writeSecrets } from './secrets.js';

// npm run asterisk-config -- --settings asterisk-config/settings.example.yaml --secrets secrets.yaml --out DIR
const { values } = parseArgs({
  options: {
    settings: { type: 'string', default: 'asterisk-config/settings.example.yaml' },
    secrets: { type: 'string', default: 'asterisk-config/secrets.yaml' },
    out: { type: 'string' },
  },
});

try {
  if (!values.out) throw new Error('--out DIR is required (e.g. /etc/asterisk)');
  const settings = loadAsteriskSettings(values.settings);
  const { secrets, changed } = completeSecrets(settings, readSecrets(values.secrets));
  if (changed) writeSecrets(values.secrets, secrets);
  mkdirSync(values.out, { recursive: true });
  for (const [name, text] of renderAsteriskConfig(settings, secrets)) {
    writeFileSync(join(values.out, name), text, {
      mode: name === 'pjsip.conf' || name === 'voicemail.conf' ? 0o640 : 0o644,
    });
    process.stdout.write(`wrote ${join(values.out, name)}\n`);
  }
  if (changed) process.stdout.write(`generated new secrets into ${values.secrets} (keep it private)\n`);
} catch (error) {
  process.stderr.write(`asterisk-config: ${(error as Error).message}\n`);
  process.exit(1);
}
