import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isPlaceholder } from '@switchboard/contract';
import { CDR_FILE_NAME, cdrFieldsLine } from '../cdr/record.js';
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

/** `[name]`, or `[name](template)` / `[name](!)` for templates (pjsip_wizard). */
function section(name: string, lines: readonly string[], template?: string): string {
  return [`[${name}]${template ? `(${template})` : ''}`, ...lines, ''].join('\n');
}

function renderPjsip(
  settings: AsteriskSettings,
  secrets: Secrets,
  env: Readonly<Record<string, string | undefined>>,
): string {
  const { sip, twilio } = settings;
  const nat = [
    ...(sip.externalAddress
      ? [`external_media_address=${sip.externalAddress}`, `external_signaling_address=${sip.externalAddress}`]
      : []),
    ...sip.localNetworks.map((network) => `local_net=${network}`),
  ];
  const parts = [
    '; Switchboard PJSIP configuration. Rendered from the settings file: edit that, not this.',
    '; Phones are in pjsip_wizard.conf.',
    '',
    section('transport-udp', ['type=transport', 'protocol=udp', `bind=${sip.bind}:${sip.port}`, ...nat]),
  ];
  if (sip.tls) parts.push(renderTlsTransport(settings, nat));
  const strict = twilio.strict;
  parts.push(
    '; Twilio: calls arrive from Twilio signaling ranges (every edge) into [from-twilio] only,',
    '; a context whose calls are routed by the AGI server and never dial out by what the caller sent.',
    ...(sip.tls
      ? [
          strict
            ? '; Strict: SRTP (SDES) only, the TLS transport only; [from-twilio] refuses a call not on TLS.'
            : '; SRTP (SDES) when Twilio offers it (<Sip>…;secure=true), plain RTP otherwise.',
        ]
      : []),
    section('twilio', [
      'type=endpoint',
      `transport=transport-${strict ? 'tls' : 'udp'}`,
      'context=from-twilio',
      'disallow=all',
      'allow=ulaw,alaw',
      'direct_media=no',
      'rtp_symmetric=yes',
      'rewrite_contact=yes',
      'identify_by=ip',
      ...(sip.tls ? ['media_encryption=sdes', `media_encryption_optimistic=${strict ? 'no' : 'yes'}`] : []),
      // The endpoint's ACL: even a request matched to it another way (auth) must come from Twilio.
      'deny=0.0.0.0/0.0.0.0',
      ...twilio.signalingRanges.map((range) => `permit=${range}`),
      ...(twilio.inboundUsername ? ['auth=twilio-inbound-auth'] : []),
    ]),
    section('twilio-identify', [
      'type=identify',
      'endpoint=twilio',
      ...twilio.signalingRanges.map((r) => `match=${r}`),
    ]),
  );
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
  for (const trunk of settings.trunks) {
    const username = env[trunk.usernameEnv];
    const password = env[trunk.passwordEnv];
    if (!username || !password)
      throw new Error(
        `trunk ${trunk.id}: set ${trunk.usernameEnv} and ${trunk.passwordEnv} in the environment`,
      );
    if (isPlaceholder(username) || isPlaceholder(password))
      throw new Error(
        `trunk ${trunk.id}: ${trunk.usernameEnv} / ${trunk.passwordEnv} still hold placeholders`,
      );
    if (/[\s;]/.test(username + password))
      throw new Error(`trunk ${trunk.id}: credentials must not contain spaces or ;`);
    const tlsParam = trunk.transport === 'tls' ? '\\;transport=tls' : '';
    parts.push(
      `; Outbound trunk ${trunk.id}: Twilio Elastic SIP Trunking termination. The Request-URI keeps`,
      `; ${trunk.termination}; the caller ID goes in From and P-Asserted-Identity.`,
      section(trunk.id, [
        'type=endpoint',
        `transport=transport-${trunk.transport}`,
        'context=from-twilio',
        'disallow=all',
        'allow=ulaw,alaw',
        'direct_media=no',
        'rtp_symmetric=yes',
        `outbound_auth=${trunk.id}-auth`,
        `aors=${trunk.id}`,
        'send_pai=yes',
        'trust_id_outbound=yes',
        ...(trunk.srtp ? ['media_encryption=sdes', 'media_encryption_optimistic=no'] : []),
        ...(trunk.outboundProxy ? [`outbound_proxy=${trunk.outboundProxy}${tlsParam}\\;lr`] : []),
      ]),
      section(`${trunk.id}-auth`, [
        'type=auth',
        'auth_type=userpass',
        `username=${username}`,
        `password=${password}`,
      ]),
      section(trunk.id, [
        'type=aor',
        // Twilio takes TLS on 5061 (docs/tls.md); the name stays in the Request-URI.
        `contact=sip:${trunk.termination}${trunk.transport === 'tls' ? ':5061;transport=tls' : ''}`,
        'qualify_frequency=0',
      ]),
    );
  }
  for (const extension of settings.extensions) {
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

/**
 * The TLS transport: TLS 1.2 (exactly, with this pjproject; Twilio refuses less: 32222). The files
 * must exist (see tls-files.ts); a certificate replaced at the same path is picked up by
 * `module reload res_pjsip.so` without dropping calls (docs/tls.md).
 */
function renderTlsTransport(settings: AsteriskSettings, nat: readonly string[]): string {
  const { sip } = settings;
  const tls = sip.tls;
  if (!tls?.certFile || !tls.keyFile)
    throw new Error('sip.tls: no certFile/keyFile (the asterisk-config command makes a self-signed pair)');
  return section('transport-tls', [
    'type=transport',
    'protocol=tls',
    `bind=${sip.bind}:${tls.port}`,
    `cert_file=${tls.certFile}`,
    `priv_key_file=${tls.keyFile}`,
    ...(tls.caFile ? [`ca_list_file=${tls.caFile}`] : []),
    'method=tlsv1_2',
    `verify_server=${tls.verifyServer ? 'yes' : 'no'}`,
    'verify_client=no',
    ...nat,
  ]);
}

/** Phones through pjsip_wizard templates: one template, a short section per extension. */
function renderWizard(settings: AsteriskSettings, secrets: Secrets): string {
  const parts = [
    '; Switchboard phones (pjsip_wizard). Rendered from the settings file: edit that, not this.',
    '',
    section(
      'phone',
      [
        'type=wizard',
        'transport=transport-udp',
        'accepts_auth=yes',
        'accepts_registrations=yes',
        'endpoint/context=from-internal',
        'endpoint/disallow=all',
        'endpoint/allow=ulaw,alaw',
        'endpoint/direct_media=no',
        'endpoint/rtp_symmetric=yes',
        'endpoint/force_rport=yes',
        'endpoint/rewrite_contact=yes',
        'aor/max_contacts=1',
        'aor/remove_existing=yes',
        'aor/qualify_frequency=0',
      ],
      '!',
    ),
  ];
  for (const extension of settings.extensions) {
    const password = requireSecret(
      secrets.extensions[extension.number]?.password,
      `extensions.${extension.number}.password`,
    );
    parts.push(
      `; ${extension.name}`,
      section(
        extension.number,
        [
          `inbound_auth/username=${extension.number}`,
          `inbound_auth/password=${password}`,
          `endpoint/callerid="${extension.name}" <${extension.number}>`,
          `endpoint/mailboxes=${extension.number}@default`,
          // Texts the phone sends go to a context of its own: the context names the endpoint, so
          // the sender is who Asterisk identified, never the MESSAGE's From (docs/messaging.md).
          `endpoint/message_context=${textContext(extension.number)}`,
          // A phone at a fixed address gets a static contact (with its user part); it may still register.
          ...(extension.contact ? [`aor/contact=${extension.contact}`] : []),
          // Several devices: each registered contact gets calls and texts (docs/messaging.md).
          ...(extension.maxContacts > 1
            ? [`aor/max_contacts=${extension.maxContacts}`, 'aor/remove_existing=no']
            : []),
        ],
        'phone',
      ),
    );
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

/** Emergency numbers (and 9 + number) dial out by the first trunks even with no AGI server. */
function emergencyLines(settings: AsteriskSettings): string {
  const { numbers, outsidePrefix } = settings.emergency;
  if (settings.trunks.length === 0) return '; (no trunks configured: no emergency route)';
  const dial = (number: string) => settings.trunks.map((trunk) => `PJSIP/${number}@${trunk.id}`);
  return numbers
    .flatMap((number) =>
      [number, ...(outsidePrefix ? [`${outsidePrefix}${number}`] : [])].map(
        (dialled) => [dialled, number] as const,
      ),
    )
    .map(([dialled, number]) => {
      const [first, ...others] = dial(number);
      return [
        `exten => ${dialled},1,Log(WARNING,Switchboard AGI unavailable: emergency call ${number} by the static route)`,
        ` same => n,Dial(${first},60)`,
        ...others.map((target) => ` same => n,Dial(${target},60)`),
        ' same => n,Hangup()',
      ].join('\n');
    })
    .join('\n');
}

/**
 * Asterisk's own call records, written for the server to read back (see docs/call-log.md):
 * every call, answered or not, one JSON line each, written as the call ends (no batching).
 */
function renderCdr(): ReadonlyArray<readonly [string, string]> {
  return [
    [
      'cdr.conf',
      [
        '; Switchboard: call detail records (CDR). Rendered: edit the settings file, not this.',
        section('general', ['enable=yes', 'unanswered=yes', 'congestion=yes', 'batch=no']),
      ].join('\n'),
    ],
    [
      'cdr_custom.conf',
      [
        '; Switchboard: the CDR file the AGI server reads back (SB_CDR_FILE) to put on record the',
        '; calls it never saw and the hangup reports it lost. One JSON object per line.',
        section(CDR_FILE_NAME, ['format = json', `fields = ${cdrFieldsLine()}`]),
      ].join('\n'),
    ],
  ];
}

/**
 * With TLS, the dialplan says for each call whether it was encrypted (see docs/tls.md): on arrival
 * whether the signalling came over TLS (CHANNEL(pjsip,secure)), and in the hangup handler whether
 * the media was SRTP (CHANNEL(rtp,secure,audio) has a value only once the SDP answer is sent, so
 * not on arrival). Strict: a Twilio call not on TLS is refused (403) before anything else runs, so
 * its X-SB- headers are never used; an offer without SRTP never reaches the dialplan
 * (media_encryption_optimistic=no answers 488). CHANNEL(secure_bridge_media)=1 is not used: it
 * would also refuse the bridge to the phones' plain-RTP legs.
 */
function securityLines(
  settings: AsteriskSettings,
): Record<'TWILIO_SECURITY' | 'HANGUP_SECURITY' | 'INSECURE_CONTEXT', string> {
  if (!settings.sip.tls) return { TWILIO_SECURITY: '', HANGUP_SECURITY: '', INSECURE_CONTEXT: '' };
  const arrival = ` same => n,Log(NOTICE,SECURITY: at=arrival linkedid=\${CHANNEL(linkedid)} pjsip_secure=\${CHANNEL(pjsip,secure)})\n`;
  const hangup = ` same => n,Log(NOTICE,SECURITY: at=hangup linkedid=\${CHANNEL(linkedid)} endpoint=\${CHANNEL(endpoint)} pjsip_secure=\${CHANNEL(pjsip,secure)} rtp_secure_audio=\${CHANNEL(rtp,secure,audio)})\n`;
  if (!settings.twilio.strict)
    return { TWILIO_SECURITY: arrival, HANGUP_SECURITY: hangup, INSECURE_CONTEXT: '' };
  return {
    TWILIO_SECURITY: `${arrival} same => n,GotoIf($["\${CHANNEL(pjsip,secure)}" != "1"]?sb-insecure,s,1)\n`,
    HANGUP_SECURITY: hangup,
    INSECURE_CONTEXT: [
      '; Strict mode (twilio.strict): a call from Twilio not over TLS is refused with 403.',
      '[sb-insecure]',
      `exten => s,1,Log(WARNING,Switchboard strict mode: refused a Twilio call not on TLS (linkedid=\${CHANNEL(linkedid)}))`,
      ' same => n,Hangup(21)',
      '',
    ].join('\n'),
  };
}

/**
 * The AGI servers as dialplan globals: SB_AGI_1..N in order and their count, for the sb-agi
 * subroutine; SB_AGI (the first) for local additions that call one server directly.
 */
function agiTargetLines(servers: readonly string[]): string {
  return [
    `SB_AGI=${servers[0]}`,
    `SB_AGI_COUNT=${servers.length}`,
    ...servers.map((server, index) => `SB_AGI_${index + 1}=${server}`),
  ].join('\n');
}

/** The message_context of one phone endpoint (see textContextLines). */
export function textContext(endpoint: string): string {
  return `sb-text-${endpoint}`;
}

/**
 * One context per phone endpoint for the texts it sends: it passes the endpoint's name (a
 * constant written here) to [sb-text], and what the phone addressed in SB_TEXT_TO. Any
 * Request-URI user matches; Switchboard's decision refuses what is not a number or an extension.
 */
function textContextLines(settings: AsteriskSettings): string {
  return settings.extensions
    .map((extension) =>
      [
        `[${textContext(extension.number)}]`,
        // Set() takes everything after the first = as the value: a comma in ${EXTEN} stays in it.
        `exten => _[*#+0-9A-Za-z]!,1,Set(SB_TEXT_TO=\${EXTEN})`,
        ` same => n,Gosub(sb-text,s,1(${extension.number}))`,
        '',
      ].join('\n'),
    )
    .join('\n');
}

/** The AMI user Switchboard sends texts to phones through (docs/messaging.md); loopback by default. */
function renderManager(
  settings: AsteriskSettings,
  secrets: Secrets,
): ReadonlyArray<readonly [string, string]> {
  const { manager } = settings;
  if (!manager) return [];
  const secret = requireSecret(secrets.managerSecret, 'managerSecret');
  return [
    [
      'manager.conf',
      [
        '; Switchboard: the manager (AMI) user of the Switchboard servers. Rendered: edit the settings file.',
        section('general', ['enabled=yes', `bindaddr=${manager.bind}`, `port=${manager.port}`]),
        section(manager.username, [
          `secret=${secret}`,
          'deny=0.0.0.0/0.0.0.0',
          ...manager.permit.map((network) => `permit=${network}`),
          // MessageSend needs message; Getvar of PJSIP_DIAL_CONTACTS needs reporting; ContactStatus events are system;
          // VoicemailMove/VoicemailRemove/VoicemailRefresh are registered with EVENT_FLAG_USER (docs/voicemail.md).
          'read=system,reporting',
          'write=message,reporting,system,user',
        ]),
      ].join('\n'),
    ],
  ];
}

/**
 * features.conf: the one in-call feature Switchboard offers, recording on demand, as a dynamic
 * feature run on the channel that pressed it (only the phone's side is given it; see
 * asterisk-config/templates/extensions.conf, [sb-record-toggle], and docs/recording.md).
 */
function renderFeatures(settings: AsteriskSettings): string {
  return [
    section('general', ['featuredigittimeout=2000']),
    section('featuremap', []),
    section('applicationmap', [
      `sbrecord => ${settings.features.recordOnDemand},self,Gosub(sb-record-toggle,s,1)`,
    ]),
  ].join('\n');
}

function requireSecret(value: string | undefined, name: string): string {
  if (!value) throw new Error(`secret ${name} is missing (render with a secrets file)`);
  return value;
}

export function renderAsteriskConfig(
  settings: AsteriskSettings,
  secrets: Secrets,
  env: Readonly<Record<string, string | undefined>> = process.env,
): RenderedFiles {
  const template = (name: string) => readFileSync(`${TEMPLATES}${name}`, 'utf8');
  return new Map([
    ['pjsip.conf', renderPjsip(settings, secrets, env)],
    ['pjsip_wizard.conf', renderWizard(settings, secrets)],
    [
      'extensions.conf',
      fill(template('extensions.conf'), {
        AGI_TARGETS: agiTargetLines(settings.agi.servers),
        AGI_TIMEOUT: String(settings.agi.timeoutSeconds),
        FALLBACK_DIAL: settings.fallback.dial,
        FALLBACK_TIMEOUT: String(settings.fallback.timeoutSeconds),
        FALLBACK_MAILBOX: settings.fallback.mailbox,
        FALLBACK_EXTENSIONS: settings.extensions
          .map((extension) => `exten => ${extension.number},1,Dial(PJSIP/${extension.number},30)`)
          .join('\n'),
        EMERGENCY_EXTENSIONS: emergencyLines(settings),
        TEXT_CONTEXTS: textContextLines(settings),
        ...securityLines(settings),
      }),
    ],
    ['modules.conf', template('modules.conf')],
    ['features.conf', renderFeatures(settings)],
    ['voicemail.conf', renderVoicemail(settings, secrets)],
    ...renderCdr(),
    ...renderManager(settings, secrets),
    ['rtp.conf', section('general', [`rtpstart=${settings.rtp.start}`, `rtpend=${settings.rtp.end}`])],
  ]);
}
