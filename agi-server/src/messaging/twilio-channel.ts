import type { Delivery } from '../store/message-types.js';
import type { OutgoingText, SendOutcome } from '../twilio-rest/index.js';
import type { AttemptResult, DeliveryChannel } from './outbox-worker.js';

/**
 * An `sms` delivery: one request to Twilio's Messages API (agi-server/src/twilio-rest), from the
 * extension's own number, with a StatusCallback to Switchboard's public /message-status when the
 * operator set SB_PUBLIC_URL. Twilio took it → sent (its SID kept; callbacks say delivered or not);
 * Twilio refused it (21211, 21606, …) → failed for good with Twilio's code; Twilio unreachable,
 * 429 or 5xx → queued again with the outbox's backoff.
 */
export class TwilioChannel implements DeliveryChannel {
  constructor(
    private readonly send: (text: OutgoingText) => Promise<SendOutcome>,
    private readonly statusCallback: string | undefined,
  ) {}

  async attempt(delivery: Delivery): Promise<AttemptResult> {
    const outcome = await this.send({
      from: delivery.payload.from,
      to: delivery.target,
      body: delivery.payload.body,
      statusCallback: this.statusCallback,
    });
    if (outcome.kind === 'accepted') return { kind: 'sent', sid: outcome.sid };
    if (outcome.kind === 'refused')
      return {
        kind: 'failed',
        reason: `Twilio refused it${outcome.code !== undefined ? ` (error ${outcome.code})` : ''}: ${outcome.message}`,
      };
    return { kind: 'retry', reason: outcome.reason };
  }
}
