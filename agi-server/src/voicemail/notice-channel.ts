import type { AttemptResult, DeliveryChannel } from '../messaging/outbox-worker.js';
import type { Delivery } from '../store/message-types.js';
import type { OutgoingText, SendOutcome } from '../twilio-rest/index.js';

/**
 * A `notice` delivery: a voicemail's text notice to the owner's mobile through Twilio's Messages
 * API (agi-server/src/twilio-rest). Like an `sms` delivery, but Twilio's SID is not kept as the
 * message's: the voicemail's own key stays its `sid`, so a restart never records it twice
 * (docs/voicemail.md). Refused by Twilio → failed with its code; unreachable, 429, 5xx → retried.
 */
export class NoticeChannel implements DeliveryChannel {
  constructor(private readonly send: (text: OutgoingText) => Promise<SendOutcome>) {}

  async attempt(delivery: Delivery): Promise<AttemptResult> {
    const outcome = await this.send({
      from: delivery.payload.from,
      to: delivery.target,
      body: delivery.payload.body,
      statusCallback: undefined,
    });
    if (outcome.kind === 'accepted') return { kind: 'sent' };
    if (outcome.kind === 'refused')
      return {
        kind: 'failed',
        reason: `Twilio refused it${outcome.code !== undefined ? ` (error ${outcome.code})` : ''}: ${outcome.message}`,
      };
    return { kind: 'retry', reason: outcome.reason };
  }
}
