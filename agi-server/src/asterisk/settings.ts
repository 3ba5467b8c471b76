import { isIPv4 } from 'node:net';
import { DEFAULT_EMERGENCY_NUMBERS, ENDPOINT, EXTENSION, notPlaceholder } from '@switchboard/contract';
import { z } from 'zod';
import { dialStringSchema } from '../routing/dial-string.js';
import { checkUnique } from '../routing/model-fields.js';

/**
 * The one settings file from which asterisk-config/ is rendered (see docs/architecture.md): addresses, Twilio
 * edges, the AGI URL and the extensions. Secrets (passwords, PINs) are not in it: they live in a
 * separate secrets file that the renderer fills with generated values.
 */

const cidr = z.string().refine((value) => {
  const [address, bits, ...rest] = value.split('/');
  if (rest.length > 0 || !address || !isIPv4(address)) return false;
  return bits === undefined || (/^\d{1,2}$/.test(bits) && Number(bits) <= 32);
}, 'must be an IPv4 address or CIDR range such as 54.172.60.0/30');

const ipv4 = z.string().refine((value) => isIPv4(value), 'must be an IPv4 address');
const absolutePath = z.string().regex(/^\/[\w./-]+$/, 'an absolute path');
const sipUri = z
  .string()
  .regex(/^sip:[A-Za-z0-9+._-]+@[A-Za-z0-9.-]+(:\d{1,5})?$/, 'must be sip:user@host[:port]');

/**
 * Twilio's SIP signaling ranges, one /30 per edge (ashburn, umatilla, dublin, frankfurt, tokyo,
 * singapore, sydney, sao-paulo). All must be allowed: Twilio fails over between edges. Check
 * Twilio's "IP Addresses for Elastic SIP Trunking" page when deploying.
 */
export const TWILIO_SIGNALING_RANGES = [
  '54.172.60.0/30',
  '54.244.51.0/30',
  '54.171.127.192/30',
  '35.156.191.128/30',
  '54.65.63.192/30',
  '54.169.127.128/30',
  '54.252.254.64/30',
  '177.71.206.192/30',
] as const;

const DEFAULT_AGI_URL = 'agi://127.0.0.1:4573';
const agiTarget = z
  .string()
  .regex(
    /^(agi:\/\/[A-Za-z0-9.-]+(:\d{1,5})?|hagi:\/\/[A-Za-z0-9.-]+)$/,
    'must be agi://host[:port] or hagi://name',
  );

const envName = z.string().regex(/^[A-Z][A-Z0-9_]{0,63}$/, 'an environment variable name');

/** A Twilio Elastic SIP Trunk's termination side, as one PJSIP endpoint. */
const trunkSchema = z
  .object({
    /** The PJSIP endpoint name (routing's outbound.trunks[].endpoint). */
    id: z.string().regex(ENDPOINT),
    /** The trunk's termination URI host: it stays in the Request-URI. */
    termination: notPlaceholder(
      z
        .string()
        .regex(
          /^[a-z0-9-]+(\.[a-z0-9-]+)*\.pstn(\.[a-z0-9-]+)?\.twilio\.com$/,
          'must be your *.pstn.twilio.com termination URI',
        ),
    ),
    transport: z.enum(['udp', 'tls']).default('udp'),
    /** Encrypt media (SDES-SRTP); Twilio requires TLS signaling for it. */
    srtp: z.boolean().default(false),
    /** Credentials of the trunk's credential list, read from the environment at render time. */
    usernameEnv: envName,
    passwordEnv: envName,
    /** Send through this proxy instead of resolving the termination name (an SBC, or the lab). */
    outboundProxy: z
      .string()
      .regex(/^sip:[A-Za-z0-9.-]+(:\d{1,5})?$/, 'must be sip:host[:port]')
      .optional(),
  })
  .strict()
  .refine((trunk) => !trunk.srtp || trunk.transport === 'tls', {
    message: 'srtp needs transport tls',
    path: ['srtp'],
  });

const extensionSchema = z
  .object({
    number: z.string().regex(EXTENSION, 'extension numbers are 2 to 6 digits'),
    name: z.string().regex(/^[\p{L}\p{N} .'-]{1,40}$/u, "letters, digits, spaces and . ' - only"),
    /** A fixed contact for phones that do not register (lab, gateways); otherwise they register. */
    contact: sipUri.optional(),
    /** Identify this phone by source address as well (phones on fixed addresses). */
    match: ipv4.optional(),
    /** Devices that may register at once (desk phone + softphone): each gets texts and calls. */
    maxContacts: z.number().int().min(1).max(10).default(1),
  })
  .strict();

export const asteriskSettingsSchema = z
  .object({
    sip: z
      .object({
        bind: ipv4.default('0.0.0.0'),
        port: z.number().int().min(1).max(65_535).default(5060),
        /** Public address announced in SIP/SDP when Asterisk is behind NAT. */
        externalAddress: ipv4.optional(),
        localNetworks: z.array(cidr).default([]),
        /**
         * A TLS transport for Twilio and TLS trunks (see docs/tls.md). Without certFile/keyFile the
         * renderer makes a self-signed pair for a first try; with them (an ACME client's files, for
         * instance) they are used as they are and must be readable when rendering.
         */
        tls: z
          .object({
            port: z.number().int().min(1).max(65_535).default(5061),
            certFile: absolutePath.optional(),
            keyFile: absolutePath.optional(),
            /** CAs that sign the certificates of peers we call (Twilio's are public: the system bundle). */
            caFile: absolutePath.optional(),
            /** Check the certificate of the server we connect to (Twilio's edges). */
            verifyServer: z.boolean().default(true),
          })
          .strict()
          .refine((tls) => !tls.certFile === !tls.keyFile, {
            message: 'give certFile and keyFile together (or neither, for a self-signed pair)',
            path: ['certFile'],
          })
          .optional(),
      })
      .strict()
      .prefault({}),
    rtp: z
      .object({
        start: z.number().int().min(1024).max(65_535).default(10_000),
        end: z.number().int().min(1024).max(65_535).default(20_000),
      })
      .strict()
      .prefault({})
      .refine((rtp) => rtp.start < rtp.end, 'rtp.start must be below rtp.end'),
    agi: z
      .object({
        /** One AGI server: agi://host:port, or hagi://name to use the _agi._tcp SRV records. */
        url: agiTarget.optional(),
        /**
         * Several AGI servers (sharing one PostgreSQL store), tried in this order for every AGI
         * request before the static fallback.
         */
        servers: z.array(agiTarget).min(1).max(8).optional(),
        /**
         * The longest a call waits for the AGI server before it takes the fallback: every AGI()
         * in the dialplan is bounded by it (see docs/dialplan-agi.md). A healthy server answers in
         * milliseconds; 2 s puts a caller on the fallback phone within 3 s
         * (measured: bound + 5–50 ms, docs/faults.md).
         */
        timeoutSeconds: z.number().int().min(1).max(30).default(2),
      })
      .strict()
      .refine((agi) => !(agi.url && agi.servers), 'give agi.url or agi.servers, not both')
      .transform((agi) => ({
        servers: agi.servers ?? [agi.url ?? DEFAULT_AGI_URL],
        timeoutSeconds: agi.timeoutSeconds,
      }))
      .prefault({}),
    twilio: z
      .object({
        signalingRanges: z
          .array(cidr)
          .min(1)
          .default([...TWILIO_SIGNALING_RANGES]),
        /** When set, Asterisk also challenges Twilio (<Sip username password>) for this user. */
        inboundUsername: z
          .string()
          .regex(/^[A-Za-z0-9._-]{3,32}$/)
          .optional(),
        /**
         * Strict mode (needs sip.tls): a call from Twilio must arrive over TLS with SRTP media, or it
         * is refused; every trunk must use TLS and SRTP. See docs/tls.md.
         */
        strict: z.boolean().default(false),
      })
      .strict()
      .prefault({}),
    extensions: z.array(extensionSchema).min(1),
    /**
     * Asterisk's manager (AMI) for the Switchboard server: texts reach phones through it
     * (docs/messaging.md). Rendered as manager.conf with one user; its secret is in the secrets file.
     */
    manager: z
      .object({
        bind: ipv4.default('127.0.0.1'),
        port: z.number().int().min(1).max(65_535).default(5038),
        username: z
          .string()
          .regex(/^[A-Za-z0-9_-]{1,32}$/)
          .default('switchboard'),
        /** Who may connect (the Switchboard servers). */
        permit: z.array(cidr).min(1).default(['127.0.0.1/32']),
      })
      .strict()
      .optional(),
    /** Outbound trunks (Twilio Elastic SIP Trunking termination), first one first. */
    trunks: z.array(trunkSchema).default([]),
    /** Numbers that must work even with the AGI server down, and the trunks they leave by. */
    emergency: z
      .object({
        numbers: z.array(z.string().regex(EXTENSION)).default([...DEFAULT_EMERGENCY_NUMBERS]),
        outsidePrefix: z.string().regex(/^\d?$/).default('9'),
      })
      .strict()
      .prefault({}),
    /** In-call feature codes (features.conf, rendered): DTMF a phone's user presses during a call. */
    features: z
      .object({
        /** Starts and stops recording on demand, where the recording rules allow it (docs/recording.md). */
        recordOnDemand: z
          .string()
          .regex(/^[*#][0-9]{1,3}$/, 'a * or # then 1 to 3 digits, such as *1')
          .default('*1'),
      })
      .strict()
      .prefault({}),
    fallback: z
      .object({
        /** Who rings when the AGI server or its store is unreachable (a person first). */
        dial: dialStringSchema,
        timeoutSeconds: z.number().int().min(5).max(300).default(25),
        /** Voicemail box that takes the call when nobody answers the fallback. */
        mailbox: z.string().regex(EXTENSION),
      })
      .strict(),
  })
  .strict()
  .superRefine((settings, ctx) => {
    const numbers = checkUnique(
      ctx,
      settings.extensions,
      (extension) => extension.number,
      (index) => ['extensions', index, 'number'],
      'duplicate extension',
    );
    settings.trunks.forEach((trunk, index) => {
      if (trunk.transport === 'tls' && !settings.sip.tls) {
        ctx.addIssue({ code: 'custom', path: ['trunks', index, 'transport'], message: 'needs sip.tls' });
      }
      if (settings.twilio.strict && !(trunk.transport === 'tls' && trunk.srtp)) {
        ctx.addIssue({
          code: 'custom',
          path: ['trunks', index, 'srtp'],
          message: 'twilio.strict: every trunk needs transport tls and srtp true',
        });
      }
    });
    if (settings.twilio.strict && !settings.sip.tls) {
      ctx.addIssue({ code: 'custom', path: ['twilio', 'strict'], message: 'needs sip.tls' });
    }
    if (!numbers.has(settings.fallback.mailbox)) {
      ctx.addIssue({
        code: 'custom',
        path: ['fallback', 'mailbox'],
        message: 'must be one of the extensions',
      });
    }
  });

export type AsteriskSettings = z.infer<typeof asteriskSettingsSchema>;
