import { isDeepStrictEqual } from 'node:util';
import { describeIssues } from '@switchboard/contract';
import type { Logger } from 'pino';
import type { z } from 'zod';
import { diffConfigs, type FieldChange, keyedIssuePath } from '../routing/diff.js';
import { type RoutingConfig, type RoutingConfigInput, routingConfigSchema } from '../routing/model.js';
import { buildSnapshot, type RoutingSnapshot } from '../routing/snapshot.js';
import type { ConfigVersion, SwitchboardStore, VersionMeta } from '../store/types.js';

export interface ConfigIssue {
  /** Keyed document path, e.g. `routes.main.plans.open.0.timeoutSeconds` (see routing/diff.ts). */
  readonly path: string;
  readonly message: string;
}

export class ConfigValidationError extends Error {
  override name = 'ConfigValidationError';
  constructor(readonly issues: readonly ConfigIssue[]) {
    super(describeIssues(issues));
  }
}

function keyedIssues(document: unknown, issues: readonly z.core.$ZodIssue[]): ConfigIssue[] {
  return issues.map((issue) => ({ path: keyedIssuePath(document, issue.path), message: issue.message }));
}

export class NotFoundError extends Error {
  override name = 'NotFoundError';
}

/**
 * The store holds no routing and nobody asked to seed it. Refusing to start is the safe answer:
 * the dialplan then takes its static fallback (a phone rings), whereas a server running on an
 * empty table, or on the sample, would reject or misroute every real call.
 */
export class EmptyStoreError extends Error {
  override name = 'EmptyStoreError';
}

/** A stored change, or the current version when the change changed nothing. */
export interface ChangeResult extends ConfigVersion {
  /** False when the resulting document equals the current one: no version was made. */
  readonly changed: boolean;
}

export interface Review {
  /** The version the change was reviewed against. */
  readonly basedOn: number;
  readonly valid: boolean;
  readonly issues: ConfigIssue[];
  readonly changes: FieldChange[];
}

/** Who made a change: the display name a client sent, and which admin token it used. */
export interface ChangeAuthor {
  readonly author: string;
  readonly authorToken?: string | undefined;
}

export interface ChangeMeta extends ChangeAuthor {
  readonly summary: string;
}

/**
 * The routing configuration as the running server sees it. The AGI path reads `snapshot`, an
 * immutable indexed version swapped in one assignment when a change is stored: no query per
 * call, and the very next call sees the change. Every change is validated whole and stored as a
 * new version before it is swapped in.
 */
export class RoutingService {
  private current: RoutingSnapshot;
  private writing: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly store: SwitchboardStore,
    private readonly logger: Logger,
    latest: ConfigVersion,
  ) {
    this.current = buildSnapshot(latest.config, latest.version);
  }

  /**
   * Loads the latest version. `seed` is used only when the store is empty (a first run that asked
   * for it) and becomes version 1; a store that already holds routing is never replaced. An empty
   * store without a seed is an EmptyStoreError.
   */
  static async open(
    store: SwitchboardStore,
    logger: Logger,
    seed?: { readonly config: RoutingConfigInput; readonly source: string },
  ): Promise<RoutingService> {
    let latest = await store.latestVersion();
    if (!latest) {
      if (!seed) throw new EmptyStoreError('the route store holds no routing configuration');
      latest = await store.appendVersion({
        config: validate(seed.config),
        author: 'switchboard',
        summary: `initial configuration from ${seed.source}`,
        basedOn: undefined,
      });
      logger.info({ version: latest.version, source: seed.source }, 'initialised the empty route store');
    } else if (seed) {
      logger.info({ version: latest.version }, 'the route store already holds routing: seed not loaded');
    }
    return new RoutingService(store, logger, latest);
  }

  get snapshot(): RoutingSnapshot {
    return this.current;
  }

  get config(): RoutingConfig {
    return this.current.config;
  }

  /**
   * Applies `mutate` to the current document, validates the result, stores it as a new version
   * and swaps the snapshot. Changes are serialised in this process; a change stored by another
   * server in between is a VersionConflictError (the caller retries).
   */
  change(
    mutate: (config: RoutingConfig) => RoutingConfigInput,
    meta: ChangeMeta,
    restoredFrom?: number,
  ): Promise<ChangeResult> {
    const run = this.writing.then(async (): Promise<ChangeResult> => {
      const base = this.current;
      const config = validate(mutate(base.config));
      // The same document again (a re-applied file, a PUT of what is there) is not a new version:
      // history stays a list of real changes. Compared as values, so key order does not matter.
      if (isDeepStrictEqual(config, base.config)) {
        const current = await this.store.getVersion(base.version);
        return {
          ...(current ?? {
            createdAt: '',
            author: '',
            authorToken: undefined,
            summary: '',
            restoredFrom: undefined,
          }),
          version: base.version,
          config: base.config,
          changed: false,
        };
      }
      const stored = await this.store.appendVersion({ config, ...meta, basedOn: base.version, restoredFrom });
      this.current = buildSnapshot(stored.config, stored.version);
      this.logger.info(
        {
          version: stored.version,
          author: meta.author,
          authorToken: meta.authorToken,
          summary: meta.summary,
        },
        'routing configuration changed',
      );
      return { ...stored, changed: true };
    });
    this.writing = run.catch(() => undefined);
    return run;
  }

  /**
   * Stores version `to`'s document again, as a new version (default: the one before the
   * current). Nothing is ever deleted: a rollback is itself a version that can be rolled back.
   */
  async rollback(author: ChangeAuthor, to?: number): Promise<ChangeResult> {
    const target = to ?? this.current.version - 1;
    const previous = target >= 1 ? await this.store.getVersion(target) : undefined;
    if (!previous)
      throw new NotFoundError(
        to === undefined ? 'there is no earlier version to roll back to' : `no version ${target}`,
      );
    return this.change(
      () => previous.config,
      { ...author, summary: `rollback to version ${target}` },
      target,
    );
  }

  /**
   * A change reviewed, not made: whether the resulting document is valid (its issues at keyed
   * paths, e.g. `routes.main.did`) and what it would change, field by field. No version is stored.
   */
  review(mutate: (config: RoutingConfig) => RoutingConfigInput): Review {
    const base = this.current;
    const candidate = mutate(base.config);
    const parsed = routingConfigSchema.safeParse(candidate);
    if (!parsed.success) {
      return {
        basedOn: base.version,
        valid: false,
        issues: keyedIssues(candidate, parsed.error.issues),
        changes: [],
      };
    }
    return { basedOn: base.version, valid: true, issues: [], changes: diffConfigs(base.config, parsed.data) };
  }

  history(limit: number): Promise<VersionMeta[]> {
    return this.store.history(limit);
  }

  async version(version: number): Promise<ConfigVersion> {
    const found = await this.store.getVersion(version);
    if (!found) throw new NotFoundError(`no version ${version}`);
    return found;
  }

  async diff(from: number, to: number): Promise<FieldChange[]> {
    const [before, after] = await Promise.all([this.version(from), this.version(to)]);
    return diffConfigs(before.config, after.config);
  }

  /**
   * Picks up a version stored by another server sharing the store. Queued behind this server's
   * own changes, so a reload never swaps in an older version than one just written here, unless
   * `backwards` says the store itself went back (a restored backup is the truth).
   */
  refresh(backwards = false): Promise<boolean> {
    const moved = (version: number) =>
      backwards ? version !== this.current.version : version > this.current.version;
    const run = this.writing.then(async () => {
      // Check the number only; load and validate the document when it moved.
      if (!moved((await this.store.latestVersionNumber()) ?? 0)) return false;
      const latest = await this.store.latestVersion();
      if (!latest || !moved(latest.version)) return false;
      this.current = buildSnapshot(latest.config, latest.version);
      this.logger.info({ version: latest.version }, 'routing configuration reloaded from the store');
      return true;
    });
    this.writing = run.catch(() => undefined);
    return run;
  }

  /**
   * Keeps the snapshot in step with other servers: at once through the store's change feed
   * (PostgreSQL LISTEN/NOTIFY) and every `checkMs` as a safety net (0: no periodic check).
   * Returns the function that stops following.
   */
  async follow(checkMs: number): Promise<() => void> {
    const reload = () => {
      this.refresh().catch((error: unknown) =>
        this.logger.warn({ err: error }, 'config refresh failed; serving the last snapshot'),
      );
    };
    let stopped = false;
    await this.store.watchVersions((event) => {
      if (stopped) return;
      if ('resync' in event || event.version > this.current.version) reload();
    });
    const timer = checkMs > 0 ? setInterval(reload, checkMs) : undefined;
    timer?.unref();
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }
}

export function validate(input: unknown): RoutingConfig {
  const parsed = routingConfigSchema.safeParse(input);
  if (!parsed.success) throw new ConfigValidationError(keyedIssues(input, parsed.error.issues));
  return parsed.data;
}
