import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { ConfigError, type ServerConfig } from '../config.js';
import { createMailer, type Mailer } from '../mail/mailer.js';
import { VoicemailSpool } from '../media/voicemail-spool.js';
import type { DeliveryChannel } from '../messaging/outbox-worker.js';
import type { RoutingSnapshot } from '../routing/snapshot.js';
import type { SwitchboardStore } from '../store/types.js';
import {
  createTwilioClient,
  fetchCallParties,
  listRecordingsSince,
  sendMessage,
  twilioAccountOf,
} from '../twilio-rest/index.js';
import { edgeAudio, eitherAudio } from './edge-audio.js';
import { EdgeSweep } from './edge-sweep.js';
import { EmailChannel, spoolAudio } from './email-channel.js';
import { SpoolWatch } from './intake.js';
import { NoticeChannel } from './notice-channel.js';

/**
 * Voicemail delivery, wired once (docs/voicemail.md): the spool watch that puts each new PBX
 * message on record with its notices, and the email channel the one outbox worker uses for them.
 * Without SB_VOICEMAIL_DIR nothing is watched; without SB_SMTP_URL emails wait in the outbox.
 */

/** How often the spool is scanned for new messages (a few readdirs). */
const SCAN_MS = 1_000;
/**
 * An email is tried this many times (backoff 1 s doubling to 60 s: about 4 days) before it fails
 * for good; the reason of each retry is on its row.
 */
export const EMAIL_MAX_ATTEMPTS = 6_000;

export interface VoicemailService {
  readonly spool: VoicemailSpool | undefined;
  /** Whether text notices can be sent (Twilio configured). */
  readonly textNotices: boolean;
  readonly channels: { readonly email: DeliveryChannel; readonly notice?: DeliveryChannel };
  /** Starts the spool watch and the edge recovery sweep; `onStored` pokes the outbox worker. */
  start(onStored: () => void): void;
  stop(): Promise<void>;
}

export function createVoicemailService(
  config: ServerConfig,
  store: SwitchboardStore,
  snapshot: () => RoutingSnapshot,
  logger: Logger,
  clock: () => Date,
): VoicemailService {
  const log = logger.child({ component: 'voicemail' });
  if (config.SB_SMTP_URL && !config.SB_MAIL_FROM)
    throw new ConfigError('SB_MAIL_FROM: required with SB_SMTP_URL (the From address of voicemail emails)');
  const spool = config.SB_VOICEMAIL_DIR
    ? new VoicemailSpool(config.SB_VOICEMAIL_DIR, config.SB_VOICEMAIL_CONTEXT)
    : undefined;
  const mailer: Mailer | undefined =
    config.SB_SMTP_URL && config.SB_MAIL_FROM
      ? createMailer({
          url: config.SB_SMTP_URL,
          startTls: config.SB_SMTP_STARTTLS,
          caFile: config.SB_SMTP_CA_FILE,
          from: config.SB_MAIL_FROM,
        })
      : undefined;
  const consoleLink = (mailbox: string, msgId: string) =>
    config.SB_PUBLIC_URL
      ? `${config.SB_PUBLIC_URL}/console/#/voicemail?mailbox=${mailbox}&id=${msgId}`
      : undefined;
  const account = twilioAccountOf(config);
  const twilio = account ? createTwilioClient(account) : undefined;
  const email = new EmailChannel({
    store,
    mailer,
    audio: eitherAudio(
      spool ? spoolAudio(spool) : { audioOf: async () => undefined },
      // A folder of this process's own: a fetched recording is kept while its emails go; a restart
      // fetches again rather than trust a file another process left.
      twilio && account
        ? edgeAudio(twilio, account, join(tmpdir(), `switchboard-edge-${process.pid}-${randomUUID()}`))
        : undefined,
    ),
    maxAttachmentBytes: config.SB_MAIL_MAX_ATTACHMENT_BYTES,
    linkOf: (facts) => (facts.msgId ? consoleLink(facts.mailbox, facts.msgId) : undefined),
  });
  let watch: SpoolWatch | undefined;
  let sweep: EdgeSweep | undefined;
  return {
    spool,
    textNotices: twilio !== undefined,
    channels: {
      email,
      ...(twilio ? { notice: new NoticeChannel((text) => sendMessage(twilio, text)) } : {}),
    },
    start(onStored) {
      if (twilio && account && config.SB_EDGE_SWEEP_MINUTES > 0) {
        sweep = new EdgeSweep({
          store,
          snapshot,
          intake: {
            context: config.SB_VOICEMAIL_CONTEXT,
            mailFrom: config.SB_MAIL_FROM,
            textNotices: true,
          },
          twilio: {
            list: (since) => listRecordingsSince(twilio, since),
            call: (callSid) => fetchCallParties(twilio, callSid),
          },
          accountSid: account.accountSid,
          logger: log,
          clock,
          onStored,
        });
        sweep.start(config.SB_EDGE_SWEEP_MINUTES * 60_000);
      }
      if (!spool) return;
      watch = new SpoolWatch(
        spool,
        {
          store,
          snapshot,
          mailFrom: config.SB_MAIL_FROM,
          textNotices: twilio !== undefined,
          linkOf: consoleLink,
          logger: log,
          clock,
        },
        onStored,
      );
      watch.start(SCAN_MS);
    },
    async stop() {
      await watch?.stop();
      await sweep?.stop();
      mailer?.close();
    },
  };
}
