import type { Delivery } from '../store/message-types.js';
import type { SwitchboardStore } from '../store/types.js';

/**
 * messaging.forwardToMobile: a text for an extension none of whose phones is registered also goes
 * to the extension's `mobile` as an SMS, through the same outbox (an `sms` row, sent by the Twilio
 * channel). The forward is a message of its own in the log (`reason` says which text it carries);
 * its id is derived from the text and the mobile number, so however often the phone delivery finds
 * no contact (every retry, several endpoints, several servers) the mobile gets it once. The phone
 * delivery stays queued: the phone still gets the text when it registers.
 */

/** Twilio's limit on a message body, in characters (error 21617). */
const MAX_SMS_CHARACTERS = 1_600;

function clip(text: string, characters: number): string {
  const points = [...text];
  return points.length <= characters ? text : `${points.slice(0, characters - 1).join('')}…`;
}

/**
 * Forwards the text of `delivery` to the mobile its payload names, unless a phone of the extension
 * took it or is registered (`registered(endpoint)`). Returns the forward's message id when one was
 * stored now.
 */
export async function forwardToMobile(
  store: SwitchboardStore,
  delivery: Delivery,
  registered: (endpoint: string) => Promise<boolean>,
  now: Date,
): Promise<string | undefined> {
  const forward = delivery.payload.forward;
  if (delivery.kind !== 'phone' || !forward) return undefined;
  // The extension's phones: the deliveries of this text that forward to the same mobile.
  const phones = (await store.deliveriesOf(delivery.messageId)).filter(
    (other) => other.kind === 'phone' && other.payload.forward?.to === forward.to,
  );
  if (phones.some((phone) => phone.state === 'sent')) return undefined;
  for (const phone of phones) if (await registered(phone.target)) return undefined;
  const message = await store.getMessage(delivery.messageId);
  if (!message) return undefined;
  const id = `${message.id}:mobile:${forward.to}`;
  const prefix = `From ${message.from}: `;
  const body = prefix + clip(message.body, MAX_SMS_CHARACTERS - [...prefix].length);
  const stored = await store.recordMessage(
    {
      id,
      direction: 'outbound',
      sid: undefined,
      from: forward.from,
      to: forward.to,
      extensions: message.extensions,
      body,
      media: [],
      status: 'queued',
      reason: `forwarded ${message.id}: no phone registered`,
      at: now.toISOString(),
    },
    [{ kind: 'sms', target: forward.to, payload: { from: forward.from, body } }],
  );
  return stored ? id : undefined;
}
