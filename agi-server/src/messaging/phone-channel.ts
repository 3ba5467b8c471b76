import { MAX_AMI_BODY_BYTES, type PhoneMessages } from '../pbx/phone-messages.js';
import type { Delivery } from '../store/message-types.js';
import { splitBody } from './body-split.js';
import type { AttemptResult, DeliveryChannel } from './outbox-worker.js';

/**
 * A phone delivery: the text (in pieces that fit one AMI line and Asterisk's 1 KiB limit) to every registered contact
 * of the endpoint. No contact registered: queued again (the worker is woken when one registers).
 */
export class PhoneChannel implements DeliveryChannel {
  constructor(private readonly phones: PhoneMessages) {}

  async attempt(delivery: Delivery): Promise<AttemptResult> {
    const contacts = await this.phones.contactsOf(delivery.target);
    if (contacts.length === 0) return { kind: 'retry', reason: 'no registered contact', unreachable: true };
    const pieces = splitBody(delivery.payload.body, MAX_AMI_BODY_BYTES);
    await Promise.all(
      contacts.map(async (contact) => {
        for (const piece of pieces)
          await this.phones.send(delivery.target, contact, delivery.payload.from, piece);
      }),
    );
    return { kind: 'sent' };
  }
}
