/**
 * SQLite schema, one entry per version (PRAGMA user_version). Never edit an entry that has
 * shipped: add the next one.
 */
export const SQLITE_MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE config_versions (
    version       INTEGER PRIMARY KEY,
    created_at    TEXT NOT NULL,
    author        TEXT NOT NULL,
    summary       TEXT NOT NULL,
    restored_from INTEGER,
    document      TEXT NOT NULL
  );
  CREATE TABLE admin_tokens (
    hash       TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    created_at TEXT NOT NULL
  );
  CREATE TABLE calls (
    linked_id     TEXT PRIMARY KEY,
    call_sid      TEXT,
    did           TEXT,
    caller        TEXT,
    route_id      TEXT,
    route_version INTEGER,
    plan          TEXT,
    disposition   TEXT NOT NULL DEFAULT 'in-progress',
    answered_by   TEXT,
    started_at    TEXT NOT NULL,
    answered_at   TEXT,
    ended_at      TEXT,
    note          TEXT
  );
  CREATE INDEX calls_by_start ON calls (started_at);
  CREATE INDEX calls_by_did ON calls (did, started_at);
  CREATE TABLE call_steps (
    linked_id TEXT NOT NULL,
    attempt   INTEGER NOT NULL,
    at        TEXT NOT NULL,
    label     TEXT NOT NULL,
    targets   TEXT NOT NULL,
    outcome   TEXT,
    PRIMARY KEY (linked_id, attempt)
  );
  `,
  // 2: the X-SB- signature check of each inbound call (absent, valid, invalid, stale, malformed).
  `ALTER TABLE calls ADD COLUMN signature TEXT;`,
  // 3: which admin token made each change (the author column is the display name the client sent).
  `ALTER TABLE config_versions ADD COLUMN author_token TEXT;`,
  // 4: the message log and its durable outbox (issue 17, docs/messaging.md).
  `
  CREATE TABLE messages (
    id          TEXT PRIMARY KEY,
    direction   TEXT NOT NULL,
    sid         TEXT UNIQUE,
    from_number TEXT NOT NULL,
    to_number   TEXT NOT NULL,
    extensions  TEXT NOT NULL,
    body        TEXT NOT NULL,
    body_bytes  INTEGER NOT NULL,
    media       TEXT NOT NULL,
    status      TEXT NOT NULL,
    reason      TEXT,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
  );
  CREATE INDEX messages_by_time ON messages (created_at);
  CREATE TABLE message_outbox (
    id              INTEGER PRIMARY KEY,
    message_id      TEXT NOT NULL REFERENCES messages (id),
    kind            TEXT NOT NULL,
    target          TEXT NOT NULL,
    payload         TEXT NOT NULL,
    state           TEXT NOT NULL DEFAULT 'queued',
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    lease_owner     TEXT,
    lease_until     TEXT,
    reason          TEXT,
    updated_at      TEXT NOT NULL
  );
  CREATE INDEX message_outbox_due ON message_outbox (state, next_attempt_at);
  CREATE INDEX message_outbox_by_target ON message_outbox (kind, target, state);
  CREATE INDEX message_outbox_by_message ON message_outbox (message_id);
  `,
  // 5: a voicemail's facts on its message row; its notices are outbox rows like a text's (issue 18,
  // docs/voicemail.md).
  `ALTER TABLE messages ADD COLUMN voicemail TEXT;`,
];
