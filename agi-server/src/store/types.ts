import type { RoutingConfig } from '../routing/model.js';
import type { MessageStore } from './message-types.js';

/**
 * What Switchboard keeps: versioned routing configuration, the call log and admin token hashes.
 * One interface, implemented by SQLite (embedded default) and PostgreSQL (several servers).
 * Async throughout, so the PostgreSQL adapter fits the same shape.
 */

export interface VersionMeta {
  readonly version: number;
  readonly createdAt: string;
  readonly author: string;
  /**
   * Which admin token made the change (`name#hash-prefix`, see api/auth.ts), whatever display
   * name `author` the client sent; undefined for versions the server made itself or stored
   * before this was recorded.
   */
  readonly authorToken: string | undefined;
  readonly summary: string;
  /** For a rollback: the version whose document it restored. */
  readonly restoredFrom: number | undefined;
}

export interface ConfigVersion extends VersionMeta {
  readonly config: RoutingConfig;
}

export interface AppendVersion {
  readonly config: RoutingConfig;
  readonly author: string;
  /** The token that authenticated the change (VersionMeta.authorToken). */
  readonly authorToken?: string | undefined;
  readonly summary: string;
  /** The version the change was made against; another writer in between is a conflict. */
  readonly basedOn: number | undefined;
  readonly restoredFrom?: number;
}

export class VersionConflictError extends Error {
  override name = 'VersionConflictError';
}

/**
 * The store cannot be used right now (its file is gone, the database refuses writes, PostgreSQL
 * cannot be reached). Admin requests answer 503; routing keeps serving its snapshot meanwhile.
 */
export class StoreUnavailableError extends Error {
  override name = 'StoreUnavailableError';
}

/** What `health()` found. */
export interface StoreHealth {
  readonly ok: boolean;
  /**
   * Which physical store the rows go to; it changes when the store was replaced and reopened
   * (SQLite: another file at the path). The call log then writes its recent rows again, because
   * rows written to the old one may be gone. A store that cannot be replaced keeps one number.
   */
  readonly generation: number;
  /** Why it is not ok, for /health and the log. */
  readonly problem: string | undefined;
}

/** Told of every version stored by any server; `resync` after the feed was interrupted. */
export type VersionListener = (event: { version: number } | { resync: true }) => void;

export const DISPOSITIONS = [
  'in-progress',
  'answered',
  'voicemail',
  'abandoned',
  'rejected',
  'unanswered',
  'failed',
] as const;
export type Disposition = (typeof DISPOSITIONS)[number];

/** Call-log writes, queued off the AGI reply path and written in batches. */
export type CallEvent =
  | {
      readonly type: 'start';
      readonly linkedId: string;
      readonly at: string;
      readonly callSid: string | undefined;
      readonly did: string | undefined;
      readonly caller: string | undefined;
      readonly routeId: string | undefined;
      readonly version: number;
      readonly plan: string | undefined;
      readonly note: string | undefined;
      readonly signature: string | undefined;
    }
  | {
      readonly type: 'attempt';
      readonly linkedId: string;
      readonly at: string;
      readonly attempt: number;
      readonly label: string;
      readonly targets: readonly string[];
    }
  | {
      readonly type: 'outcome';
      readonly linkedId: string;
      readonly attempt: number;
      readonly outcome: string;
    }
  | {
      readonly type: 'end';
      readonly linkedId: string;
      readonly at: string;
      readonly disposition: Disposition;
      readonly answeredBy: string | undefined;
      readonly answeredAt: string | undefined;
    };

export interface CallStep {
  readonly attempt: number;
  readonly at: string;
  readonly label: string;
  readonly targets: readonly string[];
  readonly outcome: string | undefined;
}

export interface CallRecord {
  readonly linkedId: string;
  readonly callSid: string | undefined;
  readonly did: string | undefined;
  readonly caller: string | undefined;
  readonly routeId: string | undefined;
  readonly routeVersion: number | undefined;
  readonly plan: string | undefined;
  readonly disposition: Disposition;
  readonly answeredBy: string | undefined;
  readonly startedAt: string;
  readonly answeredAt: string | undefined;
  readonly endedAt: string | undefined;
  readonly note: string | undefined;
  /** How the X-SB- headers checked out: absent, valid, invalid, stale or malformed. */
  readonly signature: string | undefined;
  readonly steps: readonly CallStep[];
}

export interface CallFilter {
  readonly did?: string;
  readonly caller?: string;
  readonly disposition?: Disposition;
  readonly since?: string;
  readonly until?: string;
  readonly limit: number;
}

export interface SwitchboardStore extends MessageStore {
  latestVersion(): Promise<ConfigVersion | undefined>;
  /** Just the number of the latest version: cheap, for polling. */
  latestVersionNumber(): Promise<number | undefined>;
  getVersion(version: number): Promise<ConfigVersion | undefined>;
  history(limit: number): Promise<VersionMeta[]>;
  appendVersion(change: AppendVersion): Promise<ConfigVersion>;
  /**
   * Pushes versions stored by other servers as they happen (PostgreSQL: LISTEN/NOTIFY). SQLite
   * has no such feed and returns false: servers sharing a file poll (SB_CONFIG_POLL_MS).
   * The returned promise resolves once the feed is live.
   */
  watchVersions(listener: VersionListener): Promise<boolean>;

  writeCallEvents(events: readonly CallEvent[]): Promise<void>;
  listCalls(filter: CallFilter): Promise<CallRecord[]>;
  getCall(linkedId: string): Promise<CallRecord | undefined>;

  hasAdminTokens(): Promise<boolean>;
  addAdminToken(name: string, hash: string): Promise<void>;
  findAdminToken(hash: string): Promise<{ name: string } | undefined>;

  /**
   * Checks that the store is usable now and reconnects/reopens it when it can (called every
   * second by the store monitor, so keep it cheap). Never throws: a problem is a result.
   */
  health(): Promise<StoreHealth>;

  /**
   * The replay cache for signed header sets: true when `nonce` is unclaimed (it is now `owner`'s
   * until `expiresAt`, an ISO instant) or already `owner`'s; false when another owner holds it.
   * SQLite keeps it in memory (one server); a shared store shares it, so a header set is
   * accepted once across all servers. See docs/sip-headers.md.
   */
  claimNonce(nonce: string, owner: string, expiresAt: string): Promise<boolean>;

  close(): Promise<void>;
}
