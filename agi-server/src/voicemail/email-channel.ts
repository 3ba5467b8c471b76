import { basename } from 'node:path';
import type { MailAttachment, Mailer } from '../mail/mailer.js';
import type { VoicemailSpool } from '../media/voicemail-spool.js';
import type { AttemptResult, DeliveryChannel } from '../messaging/outbox-worker.js';
import type { Delivery, VoicemailFacts } from '../store/message-types.js';
import type { SwitchboardStore } from '../store/types.js';

/**
 * An `email` delivery of the outbox: the voicemail's email with its audio attached, read from the
 * spool at the moment of sending (found by msg_id, wherever Asterisk has moved it). Audio over
 * the attachment limit goes as a link; a message deleted before the email could go is said so.
 * The mail server away or refusing for now: queued again with backoff (docs/voicemail.md).
 */

export interface AudioSource {
  /** The audio file of a voicemail, or undefined when it is gone. */
  audioOf(facts: VoicemailFacts): Promise<{ path: string; bytes: number } | undefined>;
}

export interface EmailChannelOptions {
  readonly store: Pick<SwitchboardStore, 'getMessage'>;
  readonly mailer: Mailer | undefined;
  readonly audio: AudioSource;
  readonly maxAttachmentBytes: number;
  /** A link to the audio for people (signed, docs/voicemail.md), or undefined without SB_PUBLIC_URL. */
  readonly linkOf: (facts: VoicemailFacts) => string | undefined;
  readonly onResult?: (result: AttemptResult['kind']) => void;
}

/** The spool's audio for a PBX voicemail. */
export function spoolAudio(spool: VoicemailSpool): AudioSource {
  return {
    async audioOf(facts) {
      if (facts.origin !== 'pbx' || !facts.msgId) return undefined;
      const message = await spool.find(facts.mailbox, facts.msgId);
      return message ? spool.audio(message) : undefined;
    },
  };
}

export class EmailChannel implements DeliveryChannel {
  constructor(private readonly options: EmailChannelOptions) {}

  async attempt(delivery: Delivery): Promise<AttemptResult> {
    const { mailer, store } = this.options;
    if (!mailer) return { kind: 'retry', reason: 'no SMTP server configured (SB_SMTP_URL)' };
    const message = await store.getMessage(delivery.messageId);
    const facts = message?.voicemail;
    if (!facts) return { kind: 'failed', reason: 'not a voicemail message' };
    const audio = await this.options.audio.audioOf(facts);
    const attachments: MailAttachment[] = [];
    let text = delivery.payload.body;
    if (!audio) text += '\n(The message was deleted before this email could be sent.)\n';
    else if (audio.bytes > this.options.maxAttachmentBytes) {
      const link = this.options.linkOf(facts);
      text += `\nThe audio (${audio.bytes} bytes) is larger than this server attaches (${this.options.maxAttachmentBytes} bytes).\n`;
      text += link ? `Listen: ${link}\n` : 'Listen in the Switchboard console (Voicemail).\n';
    } else
      attachments.push({
        filename: `voicemail-${facts.mailbox}-${facts.msgId ?? basename(audio.path, '.wav')}.wav`,
        path: audio.path,
        contentType: 'audio/wav',
      });
    const result = await mailer.send({
      to: delivery.target,
      subject: delivery.payload.subject ?? 'Voicemail',
      text,
      attachments,
    });
    this.options.onResult?.(result.kind);
    return result.kind === 'sent' ? { kind: 'sent' } : result;
  }
}
