import { opt } from './call-rows.js';
import type {
  Delivery,
  DeliveryKind,
  DeliveryPayload,
  DeliveryState,
  MessageDirection,
  MessageFilter,
  MessageRecord,
  MessageStatus,
  VoicemailFacts,
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
