import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ACCOUNT_SID, API_TOKEN, describeIssues, notPlaceholder } from '@switchboard/contract';
import { parse } from 'yaml';
import { z } from 'zod';
import { LOOPBACK_ONLY, parseAllowList } from './agi/allow-list.js';
import type { RoutingConfigInput } from './routing/model.js';

/** The sample routing (`--seed-sample`): agi-server/sample/routing.yaml, from src/ or dist/ alike. */
export const SAMPLE_ROUTING = fileURLToPath(new URL('../sample/routing.yaml', import.meta.url));
/**
 * The AGI server's env file: `.env` at the repository root (functions/.env is the Functions'),
 * found from agi-server/src or agi-server/dist alike, whatever the working directory.
 */
export const DEFAULT_ENV_FILE = fileURLToPath(new URL('../../.env', import.meta.url));

const port = z.coerce.number().int().min(1).max(65_535);
const milliseconds = z.coerce.number().int().min(1).max(600_000);

/** Settings from the environment (see .env.example); a bad value stops start-up with its name. */
export const serverConfigSchema = z.object({
  SB_AGI_HOST: z.string().min(1).default('127.0.0.1'),
  SB_AGI_PORT: port.default(4573),
  SB_AGI_MAX_SESSIONS: z.coerce.number().int().min(1).max(100_000).default(512),
  /**
   * Who may connect to the FastAGI port: addresses and CIDR blocks, comma-separated (the PBXes).
   * Default: this host only (loopback), whatever SB_AGI_HOST says; others are dropped at accept.
   */
  SB_AGI_ALLOW: z
    .string()
    .default(LOOPBACK_ONLY)
    .transform((text, context) => {
      try {
        return parseAllowList(text);
      } catch (error) {
        context.addIssue({ code: 'custom', message: (error as Error).message });
        return z.NEVER;
      }
    }),
  SB_AGI_COMMAND_TIMEOUT_MS: milliseconds.default(5_000),
  SB_AGI_SESSION_DEADLINE_MS: milliseconds.default(10_000),
  SB_SHUTDOWN_DRAIN_MS: milliseconds.default(10_000),
  SB_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /**
   * postgres://user:password@host:port/db — the shared store for several AGI servers and PBXes.
   * Unset: the embedded SQLite store at SB_DB_PATH.
   */
  DATABASE_URL: notPlaceholder(
    z.string().regex(/^postgres(ql)?:\/\/\S+$/, 'must be a postgres:// or postgresql:// URL'),
  ).optional(),
  /** Shared outbound limits (PostgreSQL): how long a call holds its place unless renewed. */
  SB_OUTBOUND_LEASE_MS: z.coerce.number().int().min(300).max(3_600_000).default(30_000),
  /** The embedded store (SQLite, WAL). */
  SB_DB_PATH: z.string().min(1).default('var/switchboard.sqlite'),
  SB_API_HOST: z.string().min(1).default('127.0.0.1'),
  SB_API_PORT: port.default(8080),
  /** Register this admin token instead of generating one (automation); never commit it. */
  SB_ADMIN_TOKEN: notPlaceholder(
    z.string().regex(API_TOKEN, 'must look like sb_ followed by 20-100 URL-safe characters'),
  ).optional(),
  /**
   * Bearer token for Prometheus to scrape /metrics when the API listens beyond loopback (on
   * loopback /metrics is open). Grants nothing else; never commit it.
   */
  SB_METRICS_TOKEN: notPlaceholder(z.string().min(20, 'use at least 20 random characters')).optional(),
  /** Shared with the Twilio Function (its SB_HEADER_SECRET): checks X-SB- header signatures. */
  SB_HEADER_SECRET: notPlaceholder(z.string().min(32, 'use at least 32 random characters')).optional(),
  /** How often the store's health is checked (a vanished or replaced store shows within this). */
  SB_STORE_CHECK_MS: z.coerce.number().int().min(100).max(60_000).default(1_000),
  /** Your Twilio account (AC…): the X-Twilio-AccountSid an INVITE with signed headers must carry. */
  SB_TWILIO_ACCOUNT_SID: z
    .string()
    .regex(ACCOUNT_SID, 'must be your account SID (AC followed by 32 hex digits)')
    .optional(),
  /**
   * The account's Auth Token: texts go out through Twilio's Messages API with it, and Twilio's
   * status callbacks are checked against it (agi-server/src/twilio-rest/, docs/twilio.md). Unset:
   * no text leaves through Twilio (they wait in the outbox). Never commit it.
   */
  SB_TWILIO_AUTH_TOKEN: notPlaceholder(
    z.string().min(32, "must be your account's Auth Token (32 characters)"),
  ).optional(),
  /**
   * Switchboard's admin API as Twilio reaches it (https://sb.example.net, no path): texts sent
   * through Twilio ask for status callbacks at <this>/message-status, and those callbacks'
   * X-Twilio-Signature is checked over exactly that URL. Unset: no status callbacks (a text stays
   * `sent`).
   */
  SB_PUBLIC_URL: notPlaceholder(z.url({ protocol: /^https?$/ }))
    .transform((url) => url.replace(/\/+$/, ''))
    .optional(),
  /**
   * Asterisk's CDR file (cdr_custom.conf as asterisk-config renders it). When set, calls the server
   * never saw and hangup reports it lost are put on record from it, at start and every
   * SB_RECONCILE_MS (see docs/call-log.md). The file must be readable here: run the server on the
   * PBX host or share the folder.
   */
  SB_CDR_FILE: z.string().min(1).optional(),
  /** Asterisk's `sounds/custom` folder: menu prompts uploaded through the API go here (docs/menus.md). */
  SB_SOUNDS_DIR: z.string().min(1).optional(),
  /** Asterisk's monitor folder (MixMonitor's <linkedid>.wav): served to the console, swept by retention (docs/recording.md). */
  SB_RECORDINGS_DIR: z.string().min(1).optional(),
  SB_RECONCILE_MS: z.coerce.number().int().min(1_000).max(3_600_000).default(30_000),
  /**
   * Check the store for versions written by other servers this often (0: never). Default:
   * 5000 on PostgreSQL (a safety net: LISTEN/NOTIFY brings changes at once), 0 on SQLite.
   */
  SB_CONFIG_POLL_MS: z.coerce.number().int().min(0).max(600_000).optional(),
  /**
   * Admin API: how long a client may take to send a request's headers, and the whole request
   * (headers and body); a slow sender is answered 408 and its socket closed. The headers bound
   * must not exceed the request bound (checked at start).
   */
  SB_API_HEADERS_TIMEOUT_MS: milliseconds.default(10_000),
  SB_API_REQUEST_TIMEOUT_MS: milliseconds.default(30_000),
  /** Admin API: a connection idle this long is closed. */
  SB_API_CONNECTION_TIMEOUT_MS: milliseconds.default(60_000),
  /**
   * Admin API: wrong bearer tokens one source address may present per window; beyond that it is
   * answered 429 until the window ends (api/auth-throttle.ts).
   */
  SB_API_AUTH_MAX_FAILURES: z.coerce.number().int().min(1).max(10_000).default(10),
  SB_API_AUTH_WINDOW_MS: milliseconds.default(60_000),
  /**
   * Asterisk's manager (AMI, manager.conf as asterisk-config renders it): texts reach phones
   * through it (docs/messaging.md). Without SB_AMI_SECRET no text is delivered to a phone (they
   * wait in the outbox).
   */
  SB_AMI_HOST: z.string().min(1).default('127.0.0.1'),
  SB_AMI_PORT: port.default(5038),
  SB_AMI_USERNAME: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,32}$/)
    .default('switchboard'),
  SB_AMI_SECRET: notPlaceholder(z.string().min(16, 'use at least 16 random characters')).optional(),
  /** The host in the From URI of texts phones get (the PBX's name as phones know it). */
  SB_MESSAGE_FROM_HOST: z
    .string()
    .regex(/^[A-Za-z0-9.-]{1,200}$/)
    .default('switchboard.invalid'),
  /**
   * app_voicemail's spool (astspooldir/voicemail, Debian /var/spool/asterisk/voicemail) as the
   * server sees it: new messages are found there, listed, played, marked heard and deleted
   * (docs/voicemail.md). Run the server on the PBX host or share the folder.
   */
  SB_VOICEMAIL_DIR: z.string().min(1).optional(),
  /** The voicemail.conf context of the mailboxes (asterisk-config renders `default`). */
  SB_VOICEMAIL_CONTEXT: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,40}$/)
    .default('default'),
  /**
   * The operator's SMTP server for voicemail emails: smtp://[user:password@]host[:port] (STARTTLS,
   * see SB_SMTP_STARTTLS) or smtps://… (TLS from the first byte, port 465). Unset: no email is
   * sent (the emails wait in the outbox). Never commit it.
   */
  SB_SMTP_URL: notPlaceholder(
    z.url({ protocol: /^smtps?$/, error: 'must be an smtp:// or smtps:// URL' }),
  ).optional(),
  /** smtp:// only: `required` refuses to send (and to log in) without STARTTLS; `optional` uses it when offered. */
  SB_SMTP_STARTTLS: z.enum(['required', 'optional']).default('required'),
  /** A PEM file of CA certificates to trust for the SMTP server (a private CA); default: the system's. */
  SB_SMTP_CA_FILE: z.string().min(1).optional(),
  /** The From address of voicemail emails. Required with SB_SMTP_URL. */
  SB_MAIL_FROM: notPlaceholder(z.email('must be an email address')).optional(),
  /** Audio larger than this is not attached: the email carries a link instead (docs/voicemail.md). */
  SB_MAIL_MAX_ATTACHMENT_BYTES: z.coerce.number().int().min(1_000).max(100_000_000).default(10_000_000),
  /**
   * How often (minutes; decimals allowed, 0 turns it off) Switchboard lists Twilio's recordings to
   * recover edge voicemails whose forward never arrived (docs/voicemail.md, "Recovery sweep"); it
   * also sweeps at start. Needs SB_TWILIO_ACCOUNT_SID and SB_TWILIO_AUTH_TOKEN.
   */
  SB_EDGE_SWEEP_MINUTES: z.coerce
    .number()
    .min(0)
    .max(1_440)
    .refine((minutes) => minutes === 0 || minutes >= 0.05, 'at least 0.05 (3 s), or 0 to turn it off')
    .default(5),
});

export type ServerConfig = z.infer<typeof serverConfigSchema>;

/**
 * Exit status for a configuration the operator must fix (sysexits' EX_CONFIG): the systemd unit
 * does not restart on it (RestartPreventExitStatus), so a missing store is not retried in a loop.
 */
export const EXIT_CONFIG = 78;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Reads the AGI server's env file into process.env with Node's own parser (process.loadEnvFile,
 * the dotenv format): SB_ENV_FILE names it, else the root .env if it exists. Variables already
 * in the environment win (systemd's Environment=, a shell export). Returns the file read, if any.
 */
export function loadEnvFile(): string | undefined {
  const path = process.env.SB_ENV_FILE ?? DEFAULT_ENV_FILE;
  if (!existsSync(path)) {
    if (process.env.SB_ENV_FILE) throw new ConfigError(`SB_ENV_FILE names ${path}, which does not exist`);
    return undefined;
  }
  try {
    process.loadEnvFile(path);
  } catch (error) {
    throw new ConfigError(`cannot read env file ${path}: ${(error as Error).message}`);
  }
  return path;
}

export function loadServerConfig(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const parsed = serverConfigSchema.safeParse(env);
  if (!parsed.success) throw new ConfigError(`invalid environment: ${describeIssues(parsed.error.issues)}`);
  return parsed.data;
}

/** Reads a routing file (YAML or JSON). Validation happens when it becomes a version. */
export function readRoutingFile(path: string): RoutingConfigInput {
  try {
    return (parse(readFileSync(path, 'utf8')) ?? {}) as RoutingConfigInput;
  } catch (error) {
    throw new ConfigError(`cannot read routing file ${path}: ${(error as Error).message}`);
  }
}
