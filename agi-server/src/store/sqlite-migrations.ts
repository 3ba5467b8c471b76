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
  // Which admin token made each change (the author column is the display name the client sent).
  `ALTER TABLE config_versions ADD COLUMN author_token TEXT;`,
];
