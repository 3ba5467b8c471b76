import type { Logger } from 'pino';
import type { SpoolMessage, VoicemailSpool } from '../media/voicemail-spool.js';
import { PeriodicJob } from '../periodic-job.js';
import type { RoutingSnapshot } from '../routing/snapshot.js';
import type { SwitchboardStore } from '../store/types.js';
import { mailboxOwner, type NoticeFacts, noticeTimeZone, recordVoicemailMessage } from './notice.js';

/**
 * How the server learns of a new PBX voicemail (docs/voicemail.md): it reads app_voicemail's
 * spool. Asterisk renames the audio into INBOX before the msgNNNN.txt, so a .txt that is there is
 * a finished message. Each message is put on record once, keyed by its msg_id (the message row's
 * unique `sid`: `vm:<context>/<mailbox>/<msg_id>`), in one transaction with its notices (outbox
 * rows): a restart, a second server or a second scan adds nothing, and nothing found is lost.
 */

/** Messages older than this when first seen are not notified (an existing spool at first start). */
export const NOTIFY_MAX_AGE_MS = 24 * 60 * 60 * 1_000;

export interface IntakeOptions {
  readonly store: SwitchboardStore;
  readonly snapshot: () => RoutingSnapshot;
  readonly mailFrom: string | undefined;
  /** Twilio is configured: text notices to the owner's mobile are queued. */
  readonly textNotices: boolean;
  /** The console link a notice carries (SB_PUBLIC_URL), or undefined. */
  readonly linkOf: (mailbox: string, msgId: string) => string | undefined;
  readonly logger: Logger;
  readonly clock: () => Date;
}

export function voicemailKey(message: Pick<SpoolMessage, 'context' | 'mailbox' | 'msgId'>): string {
  return `vm:${message.context}/${message.mailbox}/${message.msgId}`;
}

/** Puts one spool message on record with its notices; false when it was already. */
export async function recordSpoolMessage(options: IntakeOptions, message: SpoolMessage): Promise<boolean> {
  const { store, logger } = options;
  const snapshot = options.snapshot();
  const call = message.linkedId ? await store.getCall(message.linkedId) : undefined;
  const owner = mailboxOwner(snapshot, message.mailbox);
  const facts: NoticeFacts = {
    mailbox: message.mailbox,
    callerNumber: message.callerNumber ?? call?.caller,
    callerName: message.callerName,
    did: call?.did,
    routeId: call?.routeId,
    durationSeconds: message.durationSeconds,
    at: message.at,
    timeZone: noticeTimeZone(snapshot, call?.routeId),
    link: options.linkOf(message.mailbox, message.msgId),
    origin: 'pbx',
    id: message.msgId,
  };
  const { stored, notices } = await recordVoicemailMessage(store, snapshot, options, {
    facts,
    owner,
    sid: voicemailKey(message),
    from: facts.callerNumber ?? 'anonymous',
    to: facts.did ?? message.mailbox,
    did: call?.did,
    details: {
      origin: 'pbx',
      context: message.context,
      mailbox: message.mailbox,
      msgId: message.msgId,
      linkedId: message.linkedId,
      callSid: call?.callSid,
      callerName: message.callerName,
      routeId: call?.routeId,
      durationSeconds: message.durationSeconds,
    },
  });
  if (stored)
    logger.info(
      {
        event: 'voicemail-received',
        mailbox: message.mailbox,
        msgId: message.msgId,
        linkedId: message.linkedId,
        notices,
      },
      'new voicemail put on record',
    );
  return stored;
}

/**
 * Scans the spool (every mailbox's INBOX and Old) for messages not yet on record. The set of keys
 * seen keeps the steady state to a few readdirs; a message whose recording failed (store down)
 * is not marked seen, so the next scan tries again.
 */
export class SpoolWatch {
  private readonly seen = new Set<string>();
  private readonly job = new PeriodicJob(
    () => this.scan(),
    (error) => this.intake.logger.warn({ err: error }, 'voicemail spool scan failed'),
  );

  constructor(
    private readonly spool: VoicemailSpool,
    private readonly intake: IntakeOptions,
    private readonly onStored: () => void,
  ) {}

  start(intervalMs: number): void {
    this.job.start(intervalMs);
  }

  stop(): Promise<void> {
    return this.job.stop();
  }

  poke(): void {
    this.job.poke();
  }

  /** One pass over the spool; resolves when every new message is on record. */
  async scan(): Promise<void> {
    const now = this.intake.clock().getTime();
    let stored = 0;
    for (const mailbox of await this.spool.mailboxes()) {
      for (const message of await this.spool.list(mailbox)) {
        const key = voicemailKey(message);
        if (this.seen.has(key)) continue;
        if (now - Date.parse(message.at) > NOTIFY_MAX_AGE_MS) {
          this.seen.add(key);
          continue;
        }
        if (await recordSpoolMessage(this.intake, message)) stored++;
        this.seen.add(key);
      }
    }
    if (stored > 0) this.onStored();
  }
}
