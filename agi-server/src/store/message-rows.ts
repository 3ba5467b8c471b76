import { opt } from './call-rows.js';
import {
  type Delivery,
  type DeliveryKind,
  type DeliveryPayload,
  type DeliveryState,
  type MessageDirection,
  type MessageFilter,
  type MessageRecord,
  type MessageStatus,
  type NewDelivery,
  type NewMessage,
  utf8Bytes,
  type VoicemailFacts,
} from './message-types.js';

/** Rows of the messages and message_outbox tables as both stores read them (Time: text or Date). */

export interface MessageRow<Time, List> {
  id: string;
  direction: string;
  sid: string | null;
  from_number: string;
  to_number: string;
  extensions: List;
  body: string;
  body_bytes: number;
  media: List;
  status: string;
  reason: string | null;
  created_at: Time;
  updated_at: Time;
  /** JSON text on SQLite, jsonb (parsed) on PostgreSQL; null for texts. */
  voicemail: unknown;
}

export interface OutboxRow<Time, Payload> {
  id: number | string;
  message_id: string;
  kind: string;
  target: string;
  payload: Payload;
  state: string;
  attempts: number;
  next_attempt_at: Time;
  reason: string | null;
  updated_at: Time;
}

export function messageFromRow<Time, List>(
  row: MessageRow<Time, List>,
  time: (value: Time) => string,
  list: (value: List) => string[],
): MessageRecord {
  return {
    id: row.id,
    direction: row.direction as MessageDirection,
    sid: opt(row.sid),
    from: row.from_number,
    to: row.to_number,
    extensions: list(row.extensions),
    body: row.body,
    bodyBytes: row.body_bytes,
    media: list(row.media),
    status: row.status as MessageStatus,
    reason: opt(row.reason),
    at: time(row.created_at),
    updatedAt: time(row.updated_at),
    ...(row.voicemail == null
      ? {}
      : {
          voicemail: (typeof row.voicemail === 'string'
            ? JSON.parse(row.voicemail)
            : row.voicemail) as VoicemailFacts,
        }),
  };
}

export function deliveryFromRow<Time, Payload>(
  row: OutboxRow<Time, Payload>,
  time: (value: Time) => string,
  payload: (value: Payload) => DeliveryPayload,
): Delivery {
  return {
    id: Number(row.id),
    messageId: row.message_id,
    kind: row.kind as DeliveryKind,
    target: row.target,
    payload: payload(row.payload),
    state: row.state as DeliveryState,
    attempts: row.attempts,
    nextAttemptAt: time(row.next_attempt_at),
    reason: opt(row.reason),
    updatedAt: time(row.updated_at),
  };
}

/**
 * The message-log filters as SQL clauses, values bound by `bind` (it returns the placeholder):
 * a number matches either side; an extension, any of the message's extensions.
 */
export function messageWhere(
  filter: MessageFilter,
  bind: (value: string) => string,
  hasExtension: (placeholder: string) => string,
): string {
  const where: string[] = [];
  if (filter.number !== undefined) {
    const placeholder = bind(filter.number);
    where.push(`(from_number = ${placeholder} OR to_number = ${placeholder})`);
  }
  if (filter.extension !== undefined) where.push(hasExtension(bind(filter.extension)));
  if (filter.direction !== undefined) where.push(`direction = ${bind(filter.direction)}`);
  if (filter.status !== undefined) where.push(`status = ${bind(filter.status)}`);
  if (filter.since !== undefined) where.push(`created_at >= ${bind(filter.since)}`);
  if (filter.until !== undefined) where.push(`created_at < ${bind(filter.until)}`);
  return where.length ? `WHERE ${where.join(' AND ')}` : '';
}

/**
 * The INSERTs both stores run, with the values in column order: `placeholder(n)` is the engine's
 * (`?` or `$n`, 1-based) and `list` how it stores a list (a JSON text or an array).
 */
const MESSAGE_COLUMNS =
  'id, direction, sid, from_number, to_number, extensions, body, body_bytes, media, status, reason, created_at, updated_at, voicemail';
const OUTBOX_COLUMNS = 'message_id, kind, target, payload, next_attempt_at, updated_at';

function placeholders(count: number, placeholder: (position: number) => string): string {
  return Array.from({ length: count }, (_, index) => placeholder(index + 1)).join(', ');
}

export function insertMessageSql(placeholder: (position: number) => string): string {
  return `INSERT INTO messages (${MESSAGE_COLUMNS}) VALUES (${placeholders(14, placeholder)}) ON CONFLICT DO NOTHING`;
}

export function messageValues<List>(
  message: NewMessage,
  list: (values: readonly string[]) => List,
): unknown[] {
  return [
    message.id,
    message.direction,
    message.sid ?? null,
    message.from,
    message.to,
    list(message.extensions),
    message.body,
    utf8Bytes(message.body),
    list(message.media),
    message.status,
    message.reason ?? null,
    message.at,
    message.at,
    // JSON text on both engines (a jsonb column on PostgreSQL parses it); null for texts.
    message.voicemail ? JSON.stringify(message.voicemail) : null,
  ];
}

export function insertDeliverySql(placeholder: (position: number) => string): string {
  return `INSERT INTO message_outbox (${OUTBOX_COLUMNS}) VALUES (${placeholders(6, placeholder)})`;
}

/** A new delivery's row: due at `notBefore`, else when its message was stored. */
export function deliveryValues(message: NewMessage, delivery: NewDelivery): unknown[] {
  return [
    message.id,
    delivery.kind,
    delivery.target,
    JSON.stringify(delivery.payload),
    delivery.notBefore ?? message.at,
    message.at,
  ];
}
