import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { SMTP_SEND_DEADLINE_MS } from '../mail/mailer.js';
import { PeriodicJob } from '../periodic-job.js';
import type { Delivery, DeliveryKind, MessageUpdate } from '../store/message-types.js';
import type { SwitchboardStore } from '../store/types.js';
import { TWILIO_REQUEST_TIMEOUT_MS } from '../twilio-rest/client.js';

/**
 * Drains the durable outbox (docs/messaging.md): claims due deliveries with a lease, hands each to
 * the channel for its kind (phones over AMI, texts through Twilio), and settles it: done, or
 * queued again after a backoff with the reason. A server that dies mid-attempt loses nothing: its
 * lease runs out and another drain takes the row again. The deliveries of one message are tried
 * one after another, so the message's status follows them without races. Each transport is a lane
 * of its own (LANES): a mail server that hangs holds up the mail, never a text.
 */

export type AttemptResult =
  | { readonly kind: 'sent'; readonly sid?: string }
  | {
      readonly kind: 'retry';
      readonly reason: string;
      /** The target has nowhere to take it now (a phone with no registered contact). */
      readonly unreachable?: boolean;
    }
  | { readonly kind: 'failed'; readonly reason: string };

export interface DeliveryChannel {
  attempt(delivery: Delivery): Promise<AttemptResult>;
}

export interface OutboxWorkerOptions {
  readonly store: SwitchboardStore;
  readonly channels: Partial<Record<DeliveryKind, DeliveryChannel>>;
  readonly logger: Logger;
  readonly clock: () => Date;
  /** How long a claimed delivery stays another server's (each lane's own lease when not given). */
  readonly leaseMs?: number;
  readonly batch?: number;
  /** Attempts after which a delivery fails for good (phones keep waiting for registration). */
  readonly maxAttempts?: Partial<Record<DeliveryKind, number>>;
  /** Told after a delivery was queued again because its target cannot take it now (no registered phone). */
  readonly onUnreachable?: (delivery: Delivery) => Promise<void>;
  /** Each attempt's end (metrics: switchboard_outbox_attempts_total). */
  readonly onAttempt?: (kind: DeliveryKind, result: AttemptResult['kind']) => void;
  /** Told after a delivery failed for good (settled): e.g. to tell the phone that sent it. */
  readonly onFailed?: (delivery: Delivery, reason: string) => Promise<void>;
}

/**
 * A claimed delivery is the claimer's for this long. An attempt takes milliseconds (a few AMI
 * actions, or one API request), so a short lease costs nothing while the server lives, and when it
 * is killed mid-attempt its rows are free again within seconds (a 30 s lease kept texts for a phone
 * that had just registered waiting that long: seen in the lab). An attempt that outlives its lease
 * may be made twice by another server: delivery is at least once.
 */
export const DEFAULT_LEASE_MS = 4_000;

/**
 * Kinds claimed and drained together, each lane by its own loop, so that one transport's outage
 * costs only its own deliveries: an SMTP server that accepts and then answers nothing holds a
 * drain for its timeouts, and texts for the phones stored meanwhile used to wait behind it (a unit
 * test shows it). A voicemail's email and text notice share a lane: the message's status follows
 * both, one after the other. A lane's lease outlasts its slowest attempt (the transport's own
 * timeouts), so that another server never takes a row whose attempt is still under way.
 */
const LANES: ReadonlyArray<{ readonly kinds: readonly DeliveryKind[]; readonly leaseMs: number }> = [
  { kinds: ['phone'], leaseMs: DEFAULT_LEASE_MS },
  { kinds: ['sms'], leaseMs: TWILIO_REQUEST_TIMEOUT_MS + DEFAULT_LEASE_MS },
  // An email's attempt: the audio fetched from Twilio (edge voicemails), then the send.
  {
    kinds: ['email', 'notice'],
    leaseMs: TWILIO_REQUEST_TIMEOUT_MS + SMTP_SEND_DEADLINE_MS + DEFAULT_LEASE_MS,
  },
];

/** One lane's drain loop: at most one drain at a time, and one more when poked during it. */
interface Lane {
  readonly kinds: readonly DeliveryKind[];
  readonly leaseMs: number;
  readonly job: PeriodicJob;
}

/** 1 s, 2 s, 4 s … capped at 60 s: a phone that registers is also woken at once (wakeDeliveries). */
export function backoffMs(attempts: number): number {
  return Math.min(60_000, 1_000 * 2 ** Math.max(0, attempts - 1));
}

export class OutboxWorker {
  private readonly owner = `outbox-${randomUUID()}`;
  private readonly lanes: Lane[];

  constructor(private readonly options: OutboxWorkerOptions) {
    this.lanes = LANES.map(({ kinds, leaseMs }) => {
      const lane: Lane = {
        kinds,
        leaseMs: options.leaseMs ?? leaseMs,
        // A drain that claimed rows is followed by another: more may be due.
        job: new PeriodicJob(
          async () => {
            if ((await this.drainOnce(lane)) > 0) lane.job.poke();
          },
          (error) => options.logger.warn({ err: error, kinds }, 'outbox drain failed; next tick retries'),
        ),
      };
      return lane;
    });
  }

  start(intervalMs = 1_000): void {
    for (const lane of this.lanes) lane.job.start(intervalMs);
  }

  async stop(): Promise<void> {
    await Promise.all(this.lanes.map((lane) => lane.job.stop()));
  }

  /** Drain now (a message was stored, a phone registered), every lane. */
  poke(): void {
    for (const lane of this.lanes) lane.job.poke();
  }

  /** Claims and attempts due deliveries of every lane until none is left; resolves when done. */
  async drainUntilIdle(): Promise<void> {
    await Promise.all(this.lanes.map((lane) => lane.job.runUntilIdle()));
  }

  private async drainOnce(lane: Lane): Promise<number> {
    const { store, clock } = this.options;
    const now = clock();
    const rows = await store.claimDeliveries(
      this.owner,
      now.toISOString(),
      new Date(now.getTime() + lane.leaseMs).toISOString(),
      this.options.batch ?? 50,
      lane.kinds,
    );
    const byMessage = new Map<string, Delivery[]>();
    for (const row of rows) byMessage.set(row.messageId, [...(byMessage.get(row.messageId) ?? []), row]);
    await Promise.all(
      [...byMessage.values()].map(async (deliveries) => {
        for (const delivery of deliveries) await this.attempt(delivery);
      }),
    );
    return rows.length;
  }

  private async attempt(delivery: Delivery): Promise<void> {
    const { store, clock, logger } = this.options;
    const channel = this.options.channels[delivery.kind];
    let result: AttemptResult;
    try {
      result = channel
        ? await channel.attempt(delivery)
        : { kind: 'retry', reason: `no ${delivery.kind} channel configured` };
    } catch (error) {
      result = { kind: 'retry', reason: (error as Error).message };
    }
    const limit = this.options.maxAttempts?.[delivery.kind];
    if (result.kind === 'retry' && limit !== undefined && delivery.attempts >= limit)
      result = { kind: 'failed', reason: `gave up after ${delivery.attempts} attempts: ${result.reason}` };
    this.options.onAttempt?.(delivery.kind, result.kind);
    const now = clock();
    const at = now.toISOString();
    if (result.kind === 'retry') {
      const retryAt = new Date(now.getTime() + backoffMs(delivery.attempts)).toISOString();
      await store.settleDelivery(delivery.id, { state: 'queued', retryAt, reason: result.reason }, at);
      logger.debug({ delivery: delivery.id, reason: result.reason, retryAt }, 'delivery queued again');
      if (result.unreachable)
        await this.options
          .onUnreachable?.(delivery)
          .catch((error: unknown) =>
            logger.warn({ err: error, delivery: delivery.id }, 'could not act on an unreachable target'),
          );
      return;
    }
    await store.settleDelivery(
      delivery.id,
      result.kind === 'sent' ? { state: 'sent' } : { state: 'failed', reason: result.reason },
      at,
      await this.messageUpdate(delivery, result),
    );
    if (result.kind === 'failed')
      await this.options
        .onFailed?.(delivery, result.reason)
        .catch((error: unknown) =>
          logger.warn({ err: error, delivery: delivery.id }, 'could not act on a failed delivery'),
        );
  }

  /**
   * The message's status once this delivery is done: sent by Twilio, delivered to every phone (or
   * a voicemail's every notice), or failed.
   */
  private async messageUpdate(delivery: Delivery, result: AttemptResult): Promise<MessageUpdate | undefined> {
    if (delivery.kind === 'sms')
      return result.kind === 'sent'
        ? { status: 'sent', sid: result.sid }
        : { status: 'failed', reason: result.kind === 'failed' ? result.reason : undefined };
    // A text's phones together; a voicemail's notices (email, text) together (docs/voicemail.md).
    const together = delivery.kind === 'phone' ? ['phone'] : ['email', 'notice'];
    const others = (await this.options.store.deliveriesOf(delivery.messageId)).filter(
      (other) => other.id !== delivery.id && together.includes(other.kind),
    );
    if (result.kind === 'failed') return { status: 'failed', reason: result.reason };
    return others.every((other) => other.state === 'sent') ? { status: 'delivered' } : undefined;
  }
}
