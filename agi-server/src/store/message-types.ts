/**
 * The message log and the durable outbox (issue 17; docs/messaging.md). A message is stored with
 * every delivery it causes in one transaction, before anyone is told it was received; a worker
 * then drains the outbox with retries and backoff. So a restart loses nothing queued, and several
 * servers share the work by leasing rows.
 */

/** voicemail: a message a caller left (docs/voicemail.md): its notices are deliveries like any text's. */
export const MESSAGE_DIRECTIONS = ['inbound', 'outbound', 'local', 'voicemail'] as const;
export type MessageDirection = (typeof MESSAGE_DIRECTIONS)[number];

/**
 * received: stored, deliveries queued; sent: handed over (to a phone or to Twilio); delivered:
 * confirmed (Twilio's status callback, or every phone reached); failed/undelivered: gave up (see
 * `reason`); refused: a policy said no, nothing was attempted; unknown-did: no target, kept as log.
 */
export const MESSAGE_STATUSES = [
  'received',
  'queued',
  'sent',
  'delivered',
  'undelivered',
  'failed',
  'refused',
  'unknown-did',
] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

/**
 * phone: a SIP MESSAGE to every registered contact of one PJSIP endpoint; sms: a text through
 * Twilio; email: a voicemail's email with its audio through the operator's SMTP server; notice: a
 * voicemail's text notice through Twilio (its SID is not the message's: docs/voicemail.md).
 */
export const DELIVERY_KINDS = ['phone', 'sms', 'email', 'notice'] as const;
export type DeliveryKind = (typeof DELIVERY_KINDS)[number];

export const DELIVERY_STATES = ['queued', 'sent', 'delivered', 'failed'] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];

export interface NewMessage {
  /** Ours (a UUID): outbound and local texts have no Twilio SID when they are stored. */
  readonly id: string;
  readonly direction: MessageDirection;
  /** Twilio's MessageSid: inbound from the webhook, outbound once the API accepted it. */
  readonly sid: string | undefined;
  /** E.164, or the extension for a text a phone sent. */
  readonly from: string;
  /** E.164 or an extension. */
  readonly to: string;
  /** The extension(s) the text belongs to: its targets inbound, its sender outbound. */
  readonly extensions: readonly string[];
  readonly body: string;
  /** MMS media as links. */
  readonly media: readonly string[];
  readonly status: MessageStatus;
  readonly reason: string | undefined;
  readonly at: string;
  /** Only on a voicemail message. */
  readonly voicemail?: VoicemailFacts | undefined;
}

export interface MessageRecord extends NewMessage {
  /** UTF-8 bytes of the body. */
  readonly bodyBytes: number;
  readonly updatedAt: string;
}

/** What a delivery sends: to a phone, `from` is what it shows; to Twilio, the sending number. */
export interface DeliveryPayload {
  readonly from: string;
  readonly body: string;
  /** An email's subject. */
  readonly subject?: string;
  /** A text a phone sent: the PJSIP endpoint it came from, told if Twilio refuses or fails it. */
  readonly replyTo?: string | undefined;
  /**
   * A text for a phone: where it also goes as an SMS (`to`, the extension's mobile, sent from
   * `from`, an SMS-capable number) when no phone of the extension is registered
   * (messaging.forwardToMobile).
   */
  readonly forward?: { readonly to: string; readonly from: string } | undefined;
}

/**
 * What a voicemail message is beyond a text (docs/voicemail.md). `pbx`: left in app_voicemail's
 * spool, found by its `msg_id` (stable while Asterisk renumbers and moves the files); `edge`: left
 * at the Twilio Function's fallback, its audio fetched from Twilio's Recordings API.
 */
export interface VoicemailFacts {
  readonly origin: 'pbx' | 'edge';
  /** app_voicemail's context and mailbox (the edge's: the route's mailbox, or none). */
  readonly context: string;
  readonly mailbox: string;
  readonly msgId?: string | undefined;
  readonly recordingSid?: string | undefined;
  readonly callSid?: string | undefined;
  readonly linkedId?: string | undefined;
  readonly callerName?: string | undefined;
  readonly routeId?: string | undefined;
  readonly durationSeconds: number;
}

export interface NewDelivery {
  readonly kind: DeliveryKind;
  /** The PJSIP endpoint (phone) or the E.164 number (sms). */
  readonly target: string;
  readonly payload: DeliveryPayload;
  /** Not before this instant (default: at once). */
  readonly notBefore?: string;
}

export interface Delivery {
  readonly id: number;
  readonly messageId: string;
  readonly kind: DeliveryKind;
  readonly target: string;
  readonly payload: DeliveryPayload;
  readonly state: DeliveryState;
  /** Attempts claimed so far, this one included. */
  readonly attempts: number;
  readonly nextAttemptAt: string;
  readonly reason: string | undefined;
  readonly updatedAt: string;
}

/** How an attempt ended: done (sent/delivered/failed), or queued again for `retryAt`. */
export type DeliveryOutcome =
  | { readonly state: 'sent' | 'delivered' | 'failed'; readonly reason?: string | undefined }
  | { readonly state: 'queued'; readonly retryAt: string; readonly reason: string };

/** The message's own status after a delivery settled, in the same transaction. */
export interface MessageUpdate {
  readonly status: MessageStatus;
  readonly sid?: string | undefined;
  readonly reason?: string | undefined;
}

export interface MessageFilter {
  readonly number?: string;
  readonly extension?: string;
  readonly direction?: MessageDirection;
  readonly status?: MessageStatus;
  readonly since?: string;
  readonly until?: string;
  readonly limit: number;
}

export interface MessageStore {
  /**
   * Stores a message and its deliveries as one. False (and nothing stored) when a message with the
   * same Twilio SID exists: Twilio retried a webhook we had already taken.
   */
  recordMessage(message: NewMessage, deliveries: readonly NewDelivery[]): Promise<boolean>;
  /**
   * Up to `limit` queued deliveries due at `now`, leased to `owner` until `leaseUntil` (another
   * server skips them meanwhile; a crashed server's lease runs out and the row is taken again).
   * Only the given kinds: each transport is drained on its own (OutboxWorker's lanes).
   */
  claimDeliveries(
    owner: string,
    now: string,
    leaseUntil: string,
    limit: number,
    kinds: readonly DeliveryKind[],
  ): Promise<Delivery[]>;
  /** Ends an attempt, and updates the message's status with it when `message` is given. */
  settleDelivery(id: number, outcome: DeliveryOutcome, at: string, message?: MessageUpdate): Promise<void>;
  /** A phone registered: its queued deliveries are due now. Returns how many. */
  wakeDeliveries(kind: DeliveryKind, target: string, now: string): Promise<number>;
  /**
   * Twilio's status callback. A final status (delivered, undelivered, failed) is never replaced by
   * an earlier one (`queued`, `sent`): Twilio does not promise the callbacks' order. Returns the
   * status before and the message after, or undefined when no message has the SID.
   */
  updateMessageBySid(
    sid: string,
    status: MessageStatus,
    reason: string | undefined,
    at: string,
  ): Promise<{ readonly previous: MessageStatus; readonly message: MessageRecord } | undefined>;
  listMessages(filter: MessageFilter): Promise<MessageRecord[]>;
  getMessage(id: string): Promise<MessageRecord | undefined>;
  deliveriesOf(messageId: string): Promise<Delivery[]>;
  /** The outbox by kind and state, for /health and /metrics (docs/voicemail.md). */
  outboxSummary(): Promise<OutboxSummaryRow[]>;
}

export interface OutboxSummaryRow {
  readonly kind: DeliveryKind;
  readonly state: DeliveryState;
  readonly count: number;
  /** The oldest row's last update in this state (for queued: how long something has waited). */
  readonly oldest: string;
}

/** Statuses a status callback cannot take back. */
export const FINAL_TWILIO_STATUSES: readonly MessageStatus[] = ['delivered', 'undelivered', 'failed'];

/** What a status callback leaves: `next`, unless the message is final and `next` is not. */
export function statusAfterCallback(current: MessageStatus, next: MessageStatus): MessageStatus {
  return FINAL_TWILIO_STATUSES.includes(current) && !FINAL_TWILIO_STATUSES.includes(next) ? current : next;
}

export function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}
