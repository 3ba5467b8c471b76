import {
  ACCOUNT_SID,
  DEFAULT_BLOCKED_PREFIXES,
  DEFAULT_EDGE_DIAL_TIMEOUT_SECONDS,
  E164,
  MIN_EDGE_DIAL_TIMEOUT_SECONDS,
  notPlaceholder,
  PREFIX,
  TWILIO_MAX_DIAL_TIMEOUT_SECONDS,
} from '@switchboard/contract';
import { z } from 'zod';

/**
 * The Functions' configuration: the Function environment (.env locally, deployed by twilio-run),
 * validated with zod. Twilio adds its own keys (PATH, DOMAIN_NAME…), which are ignored here.
 */

const e164 = z.string().regex(E164, 'must be E.164, such as +19863334949');
const host = notPlaceholder(
  z.string().regex(/^[A-Za-z0-9.-]{1,200}(:\d{1,5})?$/, 'must be host or host:port'),
);
const csv = (item: z.ZodString) =>
  z
    .string()
    .default('')
    .transform((value) =>
      value
        .split(',')
        .map((part) => part.trim())
        .filter(Boolean),
    )
    .pipe(z.array(item));

export const functionConfigSchema = z.object({
  /** Requests whose AccountSid is not this are refused. */
  ACCOUNT_SID: z.string().regex(ACCOUNT_SID, 'must be your account SID (AC…)'),
  /** Validates X-Twilio-Signature. */
  AUTH_TOKEN: notPlaceholder(z.string().min(16, "your account's auth token")),
  /** Shared with the AGI server (its SB_HEADER_SECRET): signs the X-SB- headers. */
  SB_HEADER_SECRET: notPlaceholder(z.string().min(32, 'use at least 32 random characters')),
  /** The public URL the webhooks are reached at, when not https://DOMAIN_NAME (signatures use it). */
  PUBLIC_BASE_URL: notPlaceholder(z.url()).optional(),
  /**
   * Switchboard's POST /inbound-message (https in production): where /inbound-message forwards
   * texts, signed with SB_HEADER_SECRET (docs/messaging.md).
   */
  SB_MESSAGE_URL: notPlaceholder(z.url()).optional(),
  /**
   * Switchboard's POST /edge-voicemail (https in production): where /voicemail-done forwards a
   * voicemail left at the fallback, signed with SB_HEADER_SECRET (docs/voicemail.md).
   */
  SB_VOICEMAIL_URL: notPlaceholder(z.url()).optional(),
  PBX_HOST: host,
  PBX_TRANSPORT: z.enum(['udp', 'tcp', 'tls']).default('udp'),
  /** Digest credentials Twilio answers Asterisk's challenge with (<Sip username password>). */
  PBX_SIP_USERNAME: z
    .string()
    .regex(/^[A-Za-z0-9._-]{3,32}$/)
    .optional(),
  PBX_SIP_PASSWORD: notPlaceholder(z.string().min(16)).optional(),
  /**
   * How long the edge waits for the PBX to answer (<Dial timeout>). With answerOnBridge the PBX
   * owns the ringing, so this must cover the longest plan: keep it equal to the routing's
   * settings.edgeDialTimeoutSeconds, which refuses plans that would not fit.
   */
  DIAL_TIMEOUT: z.coerce
    .number()
    .int()
    .min(MIN_EDGE_DIAL_TIMEOUT_SECONDS)
    .max(TWILIO_MAX_DIAL_TIMEOUT_SECONDS)
    .default(DEFAULT_EDGE_DIAL_TIMEOUT_SECONDS),
  /** How long FALLBACK_NUMBER rings (a person's phone: Twilio's own default). */
  FALLBACK_NUMBER_TIMEOUT: z.coerce.number().int().min(5).max(TWILIO_MAX_DIAL_TIMEOUT_SECONDS).default(30),
  /** Route keys chosen at the edge, per DID: {"+19863334949":"main"} (JSON). */
  DID_ROUTE_KEYS: z
    .string()
    .default('{}')
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be JSON' });
        return z.NEVER;
      }
    })
    .pipe(z.record(e164, z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/))),
  /** Failover, in this order: a secondary PBX, a number, then voicemail. */
  FALLBACK_PBX_HOST: host.optional(),
  FALLBACK_NUMBER: e164.optional(),
  VOICEMAIL: z.enum(['on', 'off']).default('on'),
  VOICEMAIL_PROMPT: z
    .string()
    .max(300)
    .default('Sorry, nobody can take your call right now. Please leave a message after the tone.'),
  /** Outbound (SIP Domain): numbers you own, usable as caller ID. */
  OWNED_NUMBERS: csv(e164),
  DEFAULT_CALLER_ID: e164.optional(),
  DEFAULT_COUNTRY: z
    .string()
    .regex(/^[A-Z]{2}$/)
    .default('US'),
  ALLOW_PREFIXES: csv(z.string().regex(PREFIX)).default(['+1']),
  /** Premium and high-fraud ranges by default: the same list the AGI server's policies use. */
  DENY_PREFIXES: csv(z.string().regex(PREFIX)).default([...DEFAULT_BLOCKED_PREFIXES]),
});

export type FunctionConfig = z.infer<typeof functionConfigSchema>;

export function parseFunctionConfig(
  env: Record<string, unknown>,
): ReturnType<typeof functionConfigSchema.safeParse> {
  const strings = Object.fromEntries(Object.entries(env).filter(([, value]) => typeof value === 'string'));
  return functionConfigSchema.safeParse(strings);
}
