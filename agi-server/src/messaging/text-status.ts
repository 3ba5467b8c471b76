import { MESSAGE_STATUSES, type MessageStatus } from '../store/message-types.js';
import type { SwitchboardStore } from '../store/types.js';
import { notifyPhone } from './phone-texts.js';

/**
 * Twilio's status callback for a text Switchboard sent (already checked: signed with the account's
 * Auth Token over the public URL). The message's status follows (never back from a final one);
 * when it turns `failed` or `undelivered`, the phone that sent it is told in a MESSAGE.
 */

export interface TextStatus {
  readonly sid: string;
  /** Twilio's MessageStatus (queued, sending, sent, delivered, undelivered, failed, …). */
  readonly status: string;
  readonly errorCode: string | undefined;
}

/** Twilio's statuses as ours: the in-between ones (accepted, sending…) are `sent`; unknown ones are ignored. */
function ourStatus(twilioStatus: string): MessageStatus | undefined {
  if (twilioStatus === 'accepted' || twilioStatus === 'scheduled' || twilioStatus === 'sending')
    return 'sent';
  if (twilioStatus === 'read') return 'delivered';
  return (MESSAGE_STATUSES as readonly string[]).includes(twilioStatus)
    ? (twilioStatus as MessageStatus)
    : undefined;
}

const FAILURES: readonly MessageStatus[] = ['failed', 'undelivered'];

export type TextStatusResult = 'updated' | 'unknown-sid' | 'ignored';

export async function applyTextStatus(
  store: SwitchboardStore,
  update: TextStatus,
  now: Date,
): Promise<{ readonly result: TextStatusResult; readonly noticeId?: string }> {
  const status = ourStatus(update.status);
  if (!status) return { result: 'ignored' };
  const reason =
    FAILURES.includes(status) && update.errorCode
      ? `Twilio: ${status} (error ${update.errorCode})`
      : FAILURES.includes(status)
        ? `Twilio: ${status}`
        : undefined;
  const changed = await store.updateMessageBySid(update.sid, status, reason, now.toISOString());
  if (!changed) return { result: 'unknown-sid' };
  const { previous, message } = changed;
  if (!FAILURES.includes(message.status) || FAILURES.includes(previous)) return { result: 'updated' };
  const sms = (await store.deliveriesOf(message.id)).find((delivery) => delivery.kind === 'sms');
  const endpoint = sms?.payload.replyTo;
  if (!endpoint) return { result: 'updated' };
  const noticeId = await notifyPhone(
    store,
    {
      endpoint,
      extension: message.extensions[0] ?? message.from,
      regarding: message.to,
      text: `Not delivered to ${message.to}: ${update.errorCode ? `the carrier refused it (Twilio error ${update.errorCode})` : `Twilio reports it ${status}`}.`,
      about: message.id,
    },
    now,
  );
  return { result: 'updated', noticeId };
}
