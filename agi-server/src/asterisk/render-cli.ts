import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadAsteriskSettings } from './load-settings.js';
import { renderAsteriskConfig } from './render.js';
import { completeSecrets, readSecrets, writeSecrets } from './secrets.js';
import { withTlsFiles } from './tls-files.js';

const USAGE = `Usage: npm run asterisk-config -- --out DIR [--settings FILE] [--secrets FILE] [--force]

Renders the Asterisk configuration (pjsip.conf, pjsip_wizard.conf, extensions.conf, modules.conf,
voicemail.conf, rtp.conf) from one validated settings file into DIR.

  --out DIR         where to write, e.g. /etc/asterisk (created if missing)
  --settings FILE   the settings (default asterisk-config/settings.example.yaml)
  --secrets FILE    SIP passwords and voicemail PINs: generated on first use, reused afterwards
                    (default asterisk-config/secrets.yaml; keep it private)
  --force           replace files in DIR that differ from what would be written, keeping each
                    old one as NAME.bak (without it such files are left alone and nothing is written)
  -h, --help        this text

Trunk credentials come from the environment variables the settings name (usernameEnv, passwordEnv).
With sip.tls, the certificate files it names must be readable; without them a self-signed pair is
made in DIR/keys (once, then reused) and said so on stderr (see docs/tls.md).
extensions_custom.conf is never written: put local additions there.
`;

const PRIVATE_FILES = new Set(['pjsip.conf', 'pjsip_wizard.conf', 'voicemail.conf']);

class UsageError extends Error {}

function parseCommandLine() {
  try {
    const { values } = parseArgs({
      options: {
        settings: { type: 'string', default: 'asterisk-config/settings.example.yaml' },
        secrets: { type: 'string', default: 'asterisk-config/secrets.yaml' },
        out: { type: 'string' },
        force: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    return values;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

type Plan = { name: string; path: string; text: string; state: 'new' | 'unchanged' | 'differs' };

function run(): void {
  const options = parseCommandLine();
  if (options.help) {
    process.stdout.write(USAGE);
    return;
  }
  if (!options.out) throw new UsageError('--out DIR is required (e.g. /etc/asterisk)');
  const out = options.out;
  // TLS files are checked (one line naming a missing one); without any, a self-signed pair is
  // made once in DIR/keys and reused (said on stderr).
  const settings = withTlsFiles(loadAsteriskSettings(options.settings), join(out, 'keys'), (line) =>
    process.stderr.write(`asterisk-config: ${line}\n`),
  );
  const { secrets, changed } = completeSecrets(settings, readSecrets(options.secrets));
  // Everything is rendered and compared before anything is written: a refusal changes nothing.
  const plans: Plan[] = [...renderAsteriskConfig(settings, secrets)].map(([name, text]) => {
    const path = join(out, name);
    if (!existsSync(path)) return { name, path, text, state: 'new' };
    return { name, path, text, state: readFileSync(path, 'utf8') === text ? 'unchanged' : 'differs' };
  });
  const differing = plans.filter((plan) => plan.state === 'differs');
  if (differing.length > 0 && !options.force) {
    throw new UsageError(
      `${differing.map((plan) => plan.path).join(', ')} ${differing.length === 1 ? 'differs' : 'differ'} from what ` +
        'would be written (edited by hand, or another configuration): nothing written; --force replaces ' +
        'them and keeps each old file as NAME.bak',
    );
  }
  if (changed) writeSecrets(options.secrets, secrets);
  mkdirSync(out, { recursive: true });
  for (const plan of plans) {
    if (plan.state === 'unchanged') {
      process.stdout.write(`unchanged ${plan.path}\n`);
      continue;
    }
    if (plan.state === 'differs') {
      copyFileSync(plan.path, `${plan.path}.bak`);
      process.stdout.write(`kept the old ${plan.name} as ${plan.path}.bak\n`);
    }
    writeFileSync(plan.path, plan.text, { mode: PRIVATE_FILES.has(plan.name) ? 0o640 : 0o644 });
    process.stdout.write(`wrote ${plan.path}\n`);
  }
  if (changed) process.stdout.write(`generated new secrets into ${options.secrets} (keep it private)\n`);
}

try {
  run();
} catch (error) {
  // One line, no stack: every failure here is about the command line, the settings or the files.
  const message = (error as Error).message.replaceAll('\n', ' ');
  const hint = error instanceof UsageError ? ' (see --help)' : '';
  process.stderr.write(`asterisk-config: ${message}${hint}\n`);
  process.exit(1);
}
