import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Secrets } from './secrets.js';
import type { AsteriskSettings } from './settings.js';

/**
 * Renders the Asterisk files from validated settings and secrets. Pure apart from reading the
 * two static templates: every value put into a file has already been validated by zod (no
 * newlines, no `;`), so the text cannot be broken by a setting.
 */

const TEMPLATES = fileURLToPath(new URL('../../../asterisk-config/templates/', import.meta.url));

export type RenderedFiles = ReadonlyMap<string, string>;

function fill(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(/\{\{([A-Z_]+)\}\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`template placeholder {{${name}}} has no value`);
    return value;
  });
}

function section(name: string, lines: readonly string[]): string {
  return [`[${name}]`, ...lines, ''].join('\n');
}

function renderPjsip(settings: AsteriskSettings, secrets: Secrets): string {
  const { sip, twilio } = settings;
  const nat = [
    ...(sip.externalAddress
      ? [`external_media_address=${sip.externalAddress}`, `external_signaling_address=${sip.externalAddress}`]
      : []),
    ...sip.localNetworks.map((network) => `local_net=${network}`),
  ];
  const parts = [
    '; Switchboard PJSIP configuration. Rendered from the settings file: edit that, not this.',
    '',
    section('transport-udp', ['type=transport', 'protocol=udp', `bind=${sip.bind}:${sip.port}`, ...nat]),
    '; Twilio: calls arrive from Twilio signaling ranges (every edge) into [from-twilio] only,',
    '; a context that can reach the phones but never the outbound trunk.',
    section('twilio', [
      'type=endpoint',
      'transport=transport-udp',
      'context=from-twilio',
      'disallow=all',
      'allow=ulaw,alaw',
      'direct_media=no',
      'rtp_symmetric=yes',
      'rewrite_contact=yes',
      'identify_by=ip',
      ...(twilio.inboundUsername ? ['auth=twilio-inbound-auth'] : []),
    ]),
    section('twilio-identify', [
      'type=identify',
      'endpoint=twilio',
      ...twilio.signalingRanges.map((r) => `match=${r}`),
    ]),
  ];
  if (twilio.inboundUsername) {
    parts.push(
      section('twilio-inbound-auth', [
        'type=auth',
        'auth_type=digest',
        `username=${twilio.inboundUsername}`,
        `password=${requireSecret(secrets.twilioInboundPassword, 'twilioInboundPassword')}`,
      ]),
    );
  }
  for (const extension of settings.extensions) {
    const secret = secrets.extensions[extension.number];
    const password = requireSecret(secret?.password, `extensions.${extension.number}.password`);
    parts.push(
      `; ${extension.name}`,
      section(extension.number, [
        'type=endpoint',
        'transport=transport-udp',
        'context=from-internal',
        'disallow=all',
        'allow=ulaw,alaw',
        'direct_media=no',
        'rtp_symmetric=yes',
        'force_rport=yes',
        'rewrite_contact=yes',
        `auth=${extension.number}-auth`,
        `aors=${extension.number}`,
        `callerid="${extension.name}" <${extension.number}>`,
        `mailboxes=${extension.number}@default`,
      ]),
      section(`${extension.number}-auth`, [
        'type=auth',
        'auth_type=digest',
        `username=${extension.number}`,
        `password=${password}`,
      ]),
      section(extension.number, [
        'type=aor',
        ...(extension.contact ? [`contact=${extension.contact}`] : ['max_contacts=1', 'remove_existing=yes']),
        'qualify_frequency=0',
      ]),
    );
    if (extension.match) {
      parts.push(
        section(`${extension.number}-identify`, [
          'type=identify',
          `endpoint=${extension.number}`,
          `match=${extension.match}`,
        ]),
      );
    }
  }
  return parts.join('\n');
}

function renderVoicemail(settings: AsteriskSettings, secrets: Secrets): string {
  const boxes = settings.extensions.map((extension) => {
    const pin = requireSecret(
      secrets.extensions[extension.number]?.voicemailPin,
      `extensions.${extension.number}.voicemailPin`,
    );
    return `${extension.number} => ${pin},${extension.name}`;
  });
  return [
    '; Switchboard voicemail boxes. Rendered from the settings file: edit that, not this.',
    section('general', ['format=wav', 'maxmsg=100', 'maxsecs=300', 'minsecs=1']),
    section('default', boxes),
  ].join('\n');
}

function requireSecret(value: string | undefined, name: string): string {
  if (!value) throw new Error(`secret ${name} is missing (render with a secrets file)`);
  return value;
}

export function renderAsteriskConfig(settings: AsteriskSettings, secrets: Secrets): RenderedFiles {
  const template = (name: string) => readFileSync(`${TEMPLATES}${name}`, 'utf8');
  return new Map([
    ['pjsip.conf', renderPjsip(settings, secrets)],
    [
      'extensions.conf',
      fill(template('extensions.conf'), {
        AGI_URL: settings.agi.url,
        FALLBACK_DIAL: settings.fallback.dial,
        FALLBACK_TIMEOUT: String(settings.fallback.timeoutSeconds),
        FALLBACK_MAILBOX: settings.fallback.mailbox,
        INTERNAL_EXTENSIONS: settings.extensions
          .map((extension) => `exten => ${extension.number},1,Dial(PJSIP/${extension.number},30)`)
          .join('\n'),
      }),
    ],
    ['modules.conf', template('modules.conf')],
    ['voicemail.conf', renderVoicemail(settings, secrets)],
    ['rtp.conf', section('general', [`rtpstart=${settings.rtp.start}`, `rtpend=${settings.rtp.end}`])],
  ]);
}
