import { randomUUID } from 'node:crypto';
import type { ForwardedMessage } from '@switchboard/contract';
import { decideInboundMessage, mobileForward } from '../routing/message-router.js';
import type { RoutingSnapshot } from '../routing/snapshot.js';
import type { NewDelivery } from '../store/message-types.js';
import type { SwitchboardStore } from '../store/types.js';

/**
 * An inbound text, from its verified hand-over to the store: the routing snapshot names the
 * extensions, and the message is stored with one phone delivery per endpoint of each, in one
 * transaction, before Twilio is answered. The outbox worker delivers it (docs/messaging.md).
 */

export type IntakeResult =
  | { readonly outcome: 'stored'; readonly id: string; readonly deliveries: number }
  | { readonly outcome: 'duplicate' }
  | { readonly outcome: 'unknown-did'; readonly id: string; readonly because: string };

/** What phones show: the text as sent, then each MMS media link on its own line. */
export function phoneBody(message: Pick<ForwardedMessage, 'body' | 'media'>): string {
  return [message.body, ...message.media].filter((part) => part !== '').join('\n');
}

export async function takeInboundMessage(
  store: SwitchboardStore,
  snapshot: RoutingSnapshot,
  message: ForwardedMessage,
  now: Date,
): Promise<IntakeResult> {
  const verdict = decideInboundMessage(snapshot, { did: message.to, from: message.from });
  const id = randomUUID();
  const base = {
    id,
    direction: 'inbound' as const,
    sid: message.messageSid,
    from: message.from,
    to: message.to,
    body: message.body,
    media: message.media,
    at: now.toISOString(),
  };
  if (verdict.kind === 'unknown-did') {
    // Kept as a log row (so it shows in /messages), never delivered.
    const stored = await store.recordMessage(
      { ...base, extensions: [], status: 'unknown-did', reason: verdict.because },
      [],
    );
    return stored ? { outcome: 'unknown-did', id, because: verdict.because } : { outcome: 'duplicate' };
  }
  const body = phoneBody(message);
  const deliveries: NewDelivery[] = verdict.recipients.flatMap((recipient) => {
    const payload = { from: message.from, body, forward: mobileForward(snapshot, recipient, verdict.did) };
    return recipient.endpoints.map((endpoint) => ({ kind: 'phone' as const, target: endpoint, payload }));
  });
  const stored = await store.recordMessage(
    {
      ...base,
      extensions: verdict.recipients.map((recipient) => recipient.extension),
      status: 'received',
      reason: undefined,
    },
    deliveries,
  );
  return stored ? { outcome: 'stored', id, deliveries: deliveries.length } : { outcome: 'duplicate' };
}
