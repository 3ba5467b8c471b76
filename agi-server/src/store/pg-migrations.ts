import type pg from 'pg';
import { refuseNewerSchema } from './schema-version.js';

/**
 * PostgreSQL schema, one entry per version (table schema_migrations). The same tables as SQLite
 * (see sqlite-migrations.ts) with native types: timestamptz, jsonb. Never edit an entry that has
 * shipped: add the next one.
 */
export const PG_MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE config_versions (
    version       integer PRIMARY KEY,
    created_at    timestamptz NOT NULL,
    author        text NOT NULL,
    summary       text NOT NULL,
    restored_from integer,
    document      jsonb NOT NULL
  );
  CREATE TABLE admin_tokens (
    hash       text PRIMARY KEY,
    name       text NOT NULL,
    created_at timestamptz NOT NULL
  );
  CREATE TABLE calls (
    linked_id     text PRIMARY KEY,
    call_sid      text,
    did           text,
    caller        text,
    route_id      text,
    route_version integer,
    plan          text,
    disposition   text NOT NULL DEFAULT 'in-progress',
    answered_by   text,
    started_at    timestamptz NOT NULL,
    answered_at   timestamptz,
    ended_at      timestamptz,
    note          text,
    signature     text
  );
  CREATE INDEX calls_by_start ON calls (started_at);
  CREATE INDEX calls_by_did ON calls (did, started_at);
  CREATE TABLE call_steps (
    linked_id text NOT NULL,
    attempt   integer NOT NULL,
    at        timestamptz NOT NULL,
    label     text NOT NULL,
    targets   jsonb NOT NULL,
    outcome   text,
    PRIMARY KEY (linked_id, attempt)
  );
  -- Outbound calls admitted by any server: the shared per-minute and concurrent limits. A call
  -- holds its place until released (hangup) or until its lease runs out; the admitting server
  -- renews its leases, so a server that dies gives its places back one lease later.
  CREATE TABLE outbound_calls (
    linked_id   text PRIMARY KEY,
    extension   text NOT NULL,
    server_id   text NOT NULL,
    started_at  timestamptz NOT NULL DEFAULT now(),
    lease_until timestamptz NOT NULL,
    released_at timestamptz
  );
  CREATE INDEX outbound_calls_by_extension ON outbound_calls (extension, started_at);
  CREATE INDEX outbound_calls_by_server ON outbound_calls (server_id) WHERE released_at IS NULL;
  -- A batch of call-log events (a JSON array of CallEvent, in arrival order) in one round trip:
  -- the AGI server's CPU per call stays near SQLite's instead of paying one query per event.
  CREATE FUNCTION switchboard_write_call_events(events jsonb) RETURNS void
  LANGUAGE plpgsql AS $$
  DECLARE
    e jsonb;
  BEGIN
    FOR e IN SELECT value FROM jsonb_array_elements(events) LOOP
      CASE e->>'type'
        WHEN 'start' THEN
          INSERT INTO calls (linked_id, call_sid, did, caller, route_id, route_version, plan, started_at, note, signature)
          VALUES (e->>'linkedId', e->>'callSid', e->>'did', e->>'caller', e->>'routeId', (e->>'version')::integer,
                  e->>'plan', (e->>'at')::timestamptz, e->>'note', e->>'signature')
          ON CONFLICT (linked_id) DO UPDATE SET call_sid = excluded.call_sid, did = excluded.did,
            caller = excluded.caller, route_id = excluded.route_id, route_version = excluded.route_version,
            plan = excluded.plan, started_at = least(calls.started_at, excluded.started_at),
            note = excluded.note, signature = excluded.signature;
        WHEN 'attempt' THEN
          INSERT INTO call_steps (linked_id, attempt, at, label, targets)
          VALUES (e->>'linkedId', (e->>'attempt')::integer, (e->>'at')::timestamptz, e->>'label', e->'targets')
          ON CONFLICT (linked_id, attempt) DO UPDATE SET at = excluded.at, label = excluded.label,
            targets = excluded.targets;
        WHEN 'outcome' THEN
          UPDATE call_steps SET outcome = e->>'outcome'
           WHERE linked_id = e->>'linkedId' AND attempt = (e->>'attempt')::integer;
        WHEN 'end' THEN
          INSERT INTO calls (linked_id, started_at, disposition, answered_by, answered_at, ended_at)
          VALUES (e->>'linkedId', (e->>'at')::timestamptz, e->>'disposition', e->>'answeredBy',
                  (e->>'answeredAt')::timestamptz, (e->>'at')::timestamptz)
          ON CONFLICT (linked_id) DO UPDATE SET disposition = excluded.disposition,
            answered_by = excluded.answered_by, answered_at = excluded.answered_at, ended_at = excluded.ended_at;
      END CASE;
    END LOOP;
  END
  $$;
  `,
  // 2: the replay cache for signed X-SB- header sets, shared by every server (claimNonce).
  `
  CREATE TABLE header_nonces (
    nonce      text PRIMARY KEY,
    owner      text NOT NULL,
    expires_at timestamptz NOT NULL
  );
  CREATE INDEX header_nonces_by_expiry ON header_nonces (expires_at);
  `,
  // 3: which admin token made each change (author stays the display name the client sent).
  `ALTER TABLE config_versions ADD COLUMN author_token text;`,
  // 4: the message log and its durable outbox (issue 17, docs/messaging.md).
  `
  CREATE TABLE messages (
    id          text PRIMARY KEY,
    direction   text NOT NULL,
    sid         text UNIQUE,
    from_number text NOT NULL,
    to_number   text NOT NULL,
    extensions  text[] NOT NULL,
    body        text NOT NULL,
    body_bytes  integer NOT NULL,
    media       text[] NOT NULL,
    status      text NOT NULL,
    reason      text,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL
  );
  CREATE INDEX messages_by_time ON messages (created_at);
  CREATE TABLE message_outbox (
    id              bigserial PRIMARY KEY,
    message_id      text NOT NULL REFERENCES messages (id),
    kind            text NOT NULL,
    target          text NOT NULL,
    payload         jsonb NOT NULL,
    state           text NOT NULL DEFAULT 'queued',
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL,
    lease_owner     text,
    lease_until     timestamptz,
    reason          text,
    updated_at      timestamptz NOT NULL
  );
  CREATE INDEX message_outbox_due ON message_outbox (state, next_attempt_at);
  CREATE INDEX message_outbox_by_target ON message_outbox (kind, target, state);
  CREATE INDEX message_outbox_by_message ON message_outbox (message_id);
  `,
  // 5: a voicemail's facts on its message row; its notices are outbox rows like a text's (issue 18,
  // docs/voicemail.md).
  `ALTER TABLE messages ADD COLUMN voicemail jsonb;`,
];

/** Any constant: serialises migrations when several servers start at once. */
const MIGRATION_LOCK = 7_106_177;

export async function migratePg(pool: pg.Pool): Promise<number> {
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY)');
    const { rows } = await client.query<{ version: number | null }>(
      'SELECT max(version) AS version FROM schema_migrations',
    );
    const current = rows[0]?.version ?? 0;
    refuseNewerSchema('PostgreSQL', current, PG_MIGRATIONS.length);
    for (let index = current; index < PG_MIGRATIONS.length; index++) {
      await client.query('BEGIN');
      try {
        await client.query(PG_MIGRATIONS[index] as string);
        await client.query('INSERT INTO schema_migrations (version) VALUES ($1)', [index + 1]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      }
    }
    return PG_MIGRATIONS.length;
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    client.release();
  }
}
