import type pg from 'pg';
import {
  deliveryFromRow,
  deliveryValues,
  insertDeliverySql,
  insertMessageSql,
  type MessageRow,
  messageFromRow,
  messageValues,
  messageWhere,
  type OutboxRow,
} from './message-rows.js';
import {
  type DeliveryKind,
  type DeliveryPayload,
  type DeliveryState,
  type MessageStore,
  statusAfterCallback,
} from './message-types.js';
import { guarded, inTransaction } from './pg-pool.js';

/**
 * The message log and outbox in PostgreSQL (see message-types.ts). Several servers drain one
 * outbox: a claim takes due rows with FOR UPDATE SKIP LOCKED and leases them, so two servers never
 * send the same row at once, and a crashed server's rows come back when its lease runs out.
 */

type PgMessageRow = MessageRow<Date, string[]>;
type PgOutboxRow = OutboxRow<Date, DeliveryPayload>;

const iso = (value: Date) => value.toISOString();
const same = <T>(value: T) => value;
const dollar = (position: number) => `$${position}`;

export function pgMessages(pool: pg.Pool): MessageStore {
  const query = <R extends pg.QueryResultRow>(text: string, values?: unknown[]) =>
    guarded(() => pool.query<R>(text, values));
  const toMessage = (row: PgMessageRow) => messageFromRow(row, iso, same);
  const toDelivery = (row: PgOutboxRow) => deliveryFromRow(row, iso, same);

  return {
    recordMessage(message, deliveries) {
      return guarded(() =>
        inTransaction(pool, async (client) => {
          const inserted = await client.query(insertMessageSql(dollar), messageValues(message, same));
          if (inserted.rowCount === 0) return false;
          for (const delivery of deliveries)
            await client.query(insertDeliverySql(dollar), deliveryValues(message, delivery));
          return true;
        }),
      );
    },

    async claimDeliveries(owner, now, leaseUntil, limit, kinds) {
      const { rows } = await query<PgOutboxRow>(
        `UPDATE message_outbox SET lease_owner = $1, lease_until = $2, attempts = attempts + 1
         WHERE id IN (SELECT id FROM message_outbox
           WHERE state = 'queued' AND next_attempt_at <= $3 AND (lease_until IS NULL OR lease_until < $3)
             AND kind = ANY($5::text[])
           ORDER BY next_attempt_at, id LIMIT $4 FOR UPDATE SKIP LOCKED)
         RETURNING *`,
        [owner, leaseUntil, now, limit, [...kinds]],
      );
      return rows.map(toDelivery).sort((a, b) => a.id - b.id);
    },

    settleDelivery(id, outcome, at, message) {
      return guarded(() =>
        inTransaction(pool, async (client) => {
          await client.query(
            `UPDATE message_outbox SET state = $2, reason = $3, updated_at = $4,
               next_attempt_at = coalesce($5, next_attempt_at), lease_owner = NULL, lease_until = NULL
             WHERE id = $1`,
            [
              id,
              outcome.state,
              outcome.reason ?? null,
              at,
              outcome.state === 'queued' ? outcome.retryAt : null,
            ],
          );
          if (!message) return;
          await client.query(
            `UPDATE messages SET status = $2, sid = coalesce($3, sid), reason = $4, updated_at = $5
             WHERE id = (SELECT message_id FROM message_outbox WHERE id = $1)`,
            [id, message.status, message.sid ?? null, message.reason ?? null, at],
          );
        }),
      );
    },

    async wakeDeliveries(kind, target, now) {
      const result = await query(
        `UPDATE message_outbox SET next_attempt_at = $3
         WHERE kind = $1 AND target = $2 AND state = 'queued' AND next_attempt_at > $3`,
        [kind, target, now],
      );
      return result.rowCount ?? 0;
    },

    updateMessageBySid(sid, status, reason, at) {
      return guarded(() =>
        inTransaction(pool, async (client) => {
          const found = await client.query<PgMessageRow>('SELECT * FROM messages WHERE sid = $1 FOR UPDATE', [
            sid,
          ]);
          const row = found.rows[0];
          if (!row) return undefined;
          const previous = toMessage(row);
          const next = statusAfterCallback(previous.status, status);
          if (next === previous.status && next !== status)
            return { previous: previous.status, message: previous };
          const updated = await client.query<PgMessageRow>(
            'UPDATE messages SET status = $2, reason = $3, updated_at = $4 WHERE id = $1 RETURNING *',
            [row.id, next, reason ?? null, at],
          );
          return { previous: previous.status, message: toMessage(updated.rows[0] as PgMessageRow) };
        }),
      );
    },

    async listMessages(filter) {
      const values: unknown[] = [];
      const where = messageWhere(
        filter,
        (value) => {
          values.push(value);
          return `$${values.length}`;
        },
        (placeholder) => `${placeholder} = ANY(extensions)`,
      );
      values.push(filter.limit);
      const { rows } = await query<PgMessageRow>(
        `SELECT * FROM messages ${where} ORDER BY created_at DESC, id DESC LIMIT $${values.length}`,
        values,
      );
      return rows.map(toMessage);
    },

    async getMessage(id) {
      const { rows } = await query<PgMessageRow>('SELECT * FROM messages WHERE id = $1', [id]);
      return rows[0] ? toMessage(rows[0]) : undefined;
    },

    async deliveriesOf(messageId) {
      const { rows } = await query<PgOutboxRow>(
        'SELECT * FROM message_outbox WHERE message_id = $1 ORDER BY id',
        [messageId],
      );
      return rows.map(toDelivery);
    },

    async outboxSummary() {
      const { rows } = await query<{ kind: string; state: string; count: string; oldest: Date }>(
        `SELECT kind, state, count(*) AS count, min(updated_at) AS oldest
         FROM message_outbox GROUP BY kind, state ORDER BY kind, state`,
      );
      return rows.map((row) => ({
        kind: row.kind as DeliveryKind,
        state: row.state as DeliveryState,
        count: Number(row.count),
        oldest: iso(row.oldest),
      }));
    },
  };
}
