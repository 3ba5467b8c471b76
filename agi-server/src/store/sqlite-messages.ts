import type Database from 'better-sqlite3';
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
  type Delivery,
  type DeliveryKind,
  type DeliveryPayload,
  type DeliveryState,
  type MessageRecord,
  type MessageStore,
  statusAfterCallback,
} from './message-types.js';

/**
 * The message log and outbox in SQLite (see message-types.ts). `db` returns the database in use
 * (the store reopens a replaced file); `write` runs a write under the store's lock rules.
 */

type SqliteMessageRow = MessageRow<string, string>;
type SqliteOutboxRow = OutboxRow<string, string>;

const same = (value: string) => value;
const question = () => '?';
const json = (values: readonly string[]) => JSON.stringify(values);
const list = (value: string) => JSON.parse(value) as string[];
const payload = (value: string) => JSON.parse(value) as DeliveryPayload;
const toMessage = (row: SqliteMessageRow): MessageRecord => messageFromRow(row, same, list);
const toDelivery = (row: SqliteOutboxRow): Delivery => deliveryFromRow(row, same, payload);

export function sqliteMessages(
  db: () => Database.Database,
  write: <T>(operation: () => T) => T,
): MessageStore {
  return {
    async recordMessage(message, deliveries) {
      const database = db();
      return write(() =>
        database
          .transaction(() => {
            const inserted = database
              .prepare(insertMessageSql(question))
              .run(...messageValues(message, json));
            if (inserted.changes === 0) return false;
            const insertDelivery = database.prepare(insertDeliverySql(question));
            for (const delivery of deliveries) insertDelivery.run(...deliveryValues(message, delivery));
            return true;
          })
          .immediate(),
      );
    },

    async claimDeliveries(owner, now, leaseUntil, limit, kinds) {
      const database = db();
      return write(() =>
        database
          .transaction(() =>
            database
              .prepare<Record<string, string | number>, SqliteOutboxRow>(
                `UPDATE message_outbox SET lease_owner = @owner, lease_until = @leaseUntil, attempts = attempts + 1
                 WHERE id IN (SELECT id FROM message_outbox
                   WHERE state = 'queued' AND next_attempt_at <= @now AND (lease_until IS NULL OR lease_until < @now)
                     AND kind IN (SELECT value FROM json_each(@kinds))
                   ORDER BY next_attempt_at, id LIMIT @limit)
                 RETURNING *`,
              )
              .all({ owner, leaseUntil, now, limit, kinds: JSON.stringify(kinds) })
              .map(toDelivery)
              .sort((a, b) => a.id - b.id),
          )
          .immediate(),
      );
    },

    async settleDelivery(id, outcome, at, message) {
      const database = db();
      write(() =>
        database
          .transaction(() => {
            database
              .prepare(
                `UPDATE message_outbox SET state = @state, reason = @reason, updated_at = @at,
                   next_attempt_at = coalesce(@retryAt, next_attempt_at), lease_owner = NULL, lease_until = NULL
                 WHERE id = @id`,
              )
              .run({
                id,
                state: outcome.state,
                reason: outcome.reason ?? null,
                retryAt: outcome.state === 'queued' ? outcome.retryAt : null,
                at,
              });
            if (!message) return;
            database
              .prepare(
                `UPDATE messages SET status = @status, sid = coalesce(@sid, sid), reason = @reason, updated_at = @at
                 WHERE id = (SELECT message_id FROM message_outbox WHERE id = @id)`,
              )
              .run({
                id,
                status: message.status,
                sid: message.sid ?? null,
                reason: message.reason ?? null,
                at,
              });
          })
          .immediate(),
      );
    },

    async wakeDeliveries(kind, target, now) {
      return write(
        () =>
          db()
            .prepare(
              `UPDATE message_outbox SET next_attempt_at = @now
               WHERE kind = @kind AND target = @target AND state = 'queued' AND next_attempt_at > @now`,
            )
            .run({ kind, target, now }).changes,
      );
    },

    async updateMessageBySid(sid, status, reason, at) {
      return write(() => {
        const database = db();
        return database
          .transaction(() => {
            const row = database
              .prepare<[string], SqliteMessageRow>('SELECT * FROM messages WHERE sid = ?')
              .get(sid);
            if (!row) return undefined;
            const previous = toMessage(row);
            const next = statusAfterCallback(previous.status, status);
            if (next === previous.status && next !== status)
              return { previous: previous.status, message: previous };
            database
              .prepare('UPDATE messages SET status = ?, reason = ?, updated_at = ? WHERE id = ?')
              .run(next, reason ?? null, at, row.id);
            return {
              previous: previous.status,
              message: { ...previous, status: next, reason: reason, updatedAt: at },
            };
          })
          .immediate();
      });
    },

    async listMessages(filter) {
      const params: Record<string, string | number> = { limit: filter.limit };
      const where = messageWhere(
        filter,
        (value) => {
          const name = `p${Object.keys(params).length}`;
          params[name] = value;
          return `@${name}`;
        },
        (placeholder) => `EXISTS (SELECT 1 FROM json_each(messages.extensions) WHERE value = ${placeholder})`,
      );
      return db()
        .prepare<Record<string, string | number>, SqliteMessageRow>(
          `SELECT * FROM messages ${where} ORDER BY created_at DESC, id DESC LIMIT @limit`,
        )
        .all(params)
        .map(toMessage);
    },

    async getMessage(id) {
      const row = db().prepare<[string], SqliteMessageRow>('SELECT * FROM messages WHERE id = ?').get(id);
      return row ? toMessage(row) : undefined;
    },

    async deliveriesOf(messageId) {
      return db()
        .prepare<[string], SqliteOutboxRow>('SELECT * FROM message_outbox WHERE message_id = ? ORDER BY id')
        .all(messageId)
        .map(toDelivery);
    },

    async outboxSummary() {
      return db()
        .prepare<[], { kind: string; state: string; count: number; oldest: string }>(
          `SELECT kind, state, count(*) AS count, min(updated_at) AS oldest
           FROM message_outbox GROUP BY kind, state ORDER BY kind, state`,
        )
        .all()
        .map((row) => ({ ...row, kind: row.kind as DeliveryKind, state: row.state as DeliveryState }));
    },
  };
}
