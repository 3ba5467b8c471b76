import type { Logger } from 'pino';
import type { OutboundLimits } from '../limits/outbound-limiter.js';
import type { PhoneTextResult, TextFromPhone } from '../messaging/phone-texts.js';
import type { Metrics } from '../metrics.js';
import type { RoutingSnapshot } from '../routing/snapshot.js';
import type { CallLogWriter } from '../store/call-log-writer.js';

/** What the AGI script handlers need: the current snapshot, the call log, a clock, logs, metrics. */
export interface HandlerDeps {
  readonly snapshot: () => RoutingSnapshot;
  readonly callLog: CallLogWriter;
  readonly logger: Logger;
  /** Injected so that tests (and the lab) can route as if at another instant. */
  readonly clock: () => Date;
  readonly metrics: Metrics;
  /** Shared with the Twilio Function to check X-SB- signatures; unset: headers are never trusted. */
  readonly headerSecret: string | undefined;
  /** Our Twilio account: signed headers arriving with another X-Twilio-AccountSid are refused. */
  readonly twilioAccountSid: string | undefined;
  /** The replay cache (SwitchboardStore.claimNonce): true when this call may use the nonce. */
  readonly claimNonce: (nonce: string, owner: string, expiresAt: string) => Promise<boolean>;
  readonly outboundLimiter: OutboundLimits;
  /** Takes a text a phone sent (stored before the AGI session ends); unset: `message` refuses. */
  readonly takeText?: (text: TextFromPhone, now: Date) => Promise<PhoneTextResult>;
}
