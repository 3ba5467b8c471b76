import type { Logger } from 'pino';
import type { ServerConfig } from '../config.js';
import { AmiClient } from '../pbx/ami-client.js';
import { PhoneMessages } from '../pbx/phone-messages.js';
import type { Delivery, DeliveryKind } from '../store/message-types.js';
import type { SwitchboardStore } from '../store/types.js';
import { createTwilioClient, sendMessage, twilioAccountOf } from '../twilio-rest/index.js';
import { forwardToMobile } from './forward-to-mobile.js';
import { type AttemptResult, type DeliveryChannel, OutboxWorker } from './outbox-worker.js';
import { PhoneChannel } from './phone-channel.js';
import { notifyPhone } from './phone-texts.js';
import { watchRegistrations } from './registration-watch.js';
import { TwilioChannel } from './twilio-channel.js';

/**
 * The live side of texts, wired once: the AMI connection, the outbox worker with its phone
 * channel and its Twilio channel, and the registration watch that wakes deliveries. Without
 * SB_AMI_SECRET the worker still runs (nothing can reach a phone, so phone deliveries stay
 * queued); without the Twilio account (SB_TWILIO_ACCOUNT_SID + SB_TWILIO_AUTH_TOKEN) texts to
 * numbers stay queued the same way.
 */
export interface MessagingService {
  /** A message was stored: drain now instead of at the next tick. */
  poke(): void;
  start(): void;
  stop(): Promise<void>;
  readonly worker: OutboxWorker;
  /** The PBX's manager connection (undefined without SB_AMI_SECRET): voicemail uses it too. */
  readonly ami: AmiClient | undefined;
}

/** Other deliveries the one outbox carries (voicemail emails), and the attempts' counter. */
export interface OutboxExtras {
  readonly channels?: Partial<Record<DeliveryKind, DeliveryChannel>>;
  readonly maxAttempts?: Partial<Record<DeliveryKind, number>>;
  readonly onAttempt?: (kind: DeliveryKind, result: AttemptResult['kind']) => void;
}

/** How often the worker looks for due deliveries when nothing pokes it, and AMI is pinged. */
const TICK_MS = 1_000;
const KEEPALIVE_MS = 10_000;
const REWAKE_MS = 1_000;
/** A text to a number that Twilio could not take after this many tries (about 8 minutes of backoff) fails. */
const SMS_MAX_ATTEMPTS = 12;

/** The public URL Twilio posts a sent text's status changes to (SB_PUBLIC_URL + /message-status). */
export function statusCallbackUrl(config: Pick<ServerConfig, 'SB_PUBLIC_URL'>): string | undefined {
  return config.SB_PUBLIC_URL ? `${config.SB_PUBLIC_URL}/message-status` : undefined;
}

export function createMessagingService(
  config: ServerConfig,
  store: SwitchboardStore,
  logger: Logger,
  clock: () => Date,
  extras: OutboxExtras = {},
): MessagingService {
  const log = logger.child({ component: 'messaging' });
  const ami = config.SB_AMI_SECRET
    ? new AmiClient({
        host: config.SB_AMI_HOST,
        port: config.SB_AMI_PORT,
        username: config.SB_AMI_USERNAME,
        secret: config.SB_AMI_SECRET,
      })
    : undefined;
  const account = twilioAccountOf(config);
  const twilio = account ? createTwilioClient(account) : undefined;
  // A text a phone sent that Twilio refused (or never took): the phone is told why.
  const tellSender = async (delivery: Delivery, reason: string) => {
    const endpoint = delivery.payload.replyTo;
    if (delivery.kind !== 'sms' || !endpoint) return;
    const message = await store.getMessage(delivery.messageId);
    await notifyPhone(
      store,
      {
        endpoint,
        extension: message?.extensions[0] ?? endpoint,
        regarding: delivery.target,
        text: `Not sent to ${delivery.target}: ${reason}.`,
        about: delivery.messageId,
      },
      clock(),
    );
    worker.poke();
  };
  const phones = ami ? new PhoneMessages(ami, config.SB_MESSAGE_FROM_HOST) : undefined;
  const forward = async (delivery: Delivery) => {
    if (!phones || !delivery.payload.forward) return;
    const id = await forwardToMobile(
      store,
      delivery,
      async (endpoint) => (await phones.contactsOf(endpoint)).length > 0,
      clock(),
    );
    if (!id) return;
    log.info(
      { event: 'text-forwarded', id, delivery: delivery.id },
      'no phone registered: text forwarded to the mobile',
    );
    worker.poke();
  };
  const worker: OutboxWorker = new OutboxWorker({
    store,
    logger: log,
    clock,
    channels: {
      ...extras.channels,
      ...(phones ? { phone: new PhoneChannel(phones) } : {}),
      ...(twilio
        ? { sms: new TwilioChannel((text) => sendMessage(twilio, text), statusCallbackUrl(config)) }
        : {}),
    },
    maxAttempts: { sms: SMS_MAX_ATTEMPTS, ...extras.maxAttempts },
    onFailed: tellSender,
    onUnreachable: forward,
    ...(extras.onAttempt ? { onAttempt: extras.onAttempt } : {}),
  });
  let keepalive: NodeJS.Timeout | undefined;
  const ping = () => {
    ami?.action({ Action: 'Ping' }).catch((error: unknown) => log.warn({ err: error }, 'AMI unreachable'));
  };
  const wake = (endpoint: string) => {
    store
      .wakeDeliveries('phone', endpoint, clock().toISOString())
      .then((woken) => {
        if (woken === 0) return;
        log.info(
          { event: 'phone-registered', endpoint, woken },
          'phone registered: its queued texts are due now',
        );
        worker.poke();
      })
      .catch((error: unknown) => log.warn({ err: error, endpoint }, 'could not wake deliveries'));
  };
  if (ami)
    watchRegistrations(ami, (endpoint) => {
      wake(endpoint);
      // The event can come a moment before the contact is listed: an attempt in between finds none
      // and backs off, so wake once more shortly after.
      setTimeout(() => wake(endpoint), REWAKE_MS).unref();
    });
  return {
    worker,
    ami,
    poke: () => worker.poke(),
    start() {
      worker.start(TICK_MS);
      if (ami) {
        ping();
        keepalive = setInterval(ping, KEEPALIVE_MS);
        keepalive.unref();
      }
    },
    async stop() {
      if (keepalive) clearInterval(keepalive);
      await worker.stop();
      await ami?.close();
    },
  };
}
