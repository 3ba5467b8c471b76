import type { Logger } from 'pino';
import type { CallEvent, SwitchboardStore } from './types.js';

/** Counts the writer keeps (exported as Prometheus metrics; see metrics.ts). */
export interface CallLogCounters {
  /** Events handed to the store and confirmed written (re-writes after a store swap included). */
  written(count: number): void;
  /** Events dropped because the buffer was full: each one is a row (or part of one) lost. */
  dropped(count: number): void;
  /** Failed write attempts (each keeps its batch for the next try). */
  writeFailed(): void;
}

export interface CallLogWriterOptions {
  /** How long events wait before a batch is written. */
  readonly flushMs: number;
  /** The buffer's bound: beyond it the oldest events are dropped (and counted). */
  readonly maxQueued: number;
  /** Wait after a failed write before the next try. */
  readonly retryMs: number;
  /**
   * How long written events are kept to be written again when the store turns out to have been
   * replaced (SQLite: the file deleted and restored from a backup taken a little earlier).
   */
  readonly replayMs: number;
}

const DEFAULTS: CallLogWriterOptions = { flushMs: 25, maxQueued: 100_000, retryMs: 1_000, replayMs: 60_000 };

const NO_COUNTERS: CallLogCounters = { written() {}, dropped() {}, writeFailed() {} };

/**
 * Takes call-log events from the AGI handlers without waiting for the database: `record` only
 * queues, a timer writes batches in one transaction. A failed write keeps the events for the
 * next try, in a bounded buffer; the first failure of a streak raises an alarm in the log and
 * recovery is logged with the number of events that waited. `close` writes what is left, so
 * SIGTERM loses nothing. See docs/call-log.md.
 */
export class CallLogWriter {
  private queue: CallEvent[] = [];
  /** Recently written events, oldest first, with when they were written. */
  private recent: Array<{ at: number; events: readonly CallEvent[] }> = [];
  private recentCount = 0;
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private failingSince: number | undefined;
  /** Events dropped since the buffer last overflowed (one alarm per overflow, not per event). */
  private droppedSinceAlarm = 0;
  private lastError: string | undefined;
  private readonly options: CallLogWriterOptions;

  constructor(
    private readonly store: SwitchboardStore,
    private readonly logger: Logger,
    private readonly counters: CallLogCounters = NO_COUNTERS,
    options: Partial<CallLogWriterOptions> = {},
  ) {
    this.options = { ...DEFAULTS, ...options };
  }

  get pending(): number {
    return this.queue.length;
  }

  /** Undefined while writes succeed; else since when (ms) and why they fail. */
  get failure(): { since: number; error: string } | undefined {
    return this.failingSince === undefined
      ? undefined
      : { since: this.failingSince, error: this.lastError ?? 'unknown' };
  }

  record(...events: CallEvent[]): void {
    this.queue.push(...events);
    this.enforceBound();
    this.schedule(this.options.flushMs);
  }

  /**
   * The store was replaced under us: rows written lately may have gone with the old one. Queues
   * them again in front of the pending ones (every write is an upsert in the original order, so
   * the rows end as they were).
   */
  storeReplaced(): void {
    const replay = this.recent.flatMap((entry) => entry.events);
    this.recent = [];
    this.recentCount = 0;
    if (replay.length === 0) return;
    this.logger.warn({ events: replay.length }, 'store replaced: writing recent call-log events again');
    this.queue = [...replay, ...this.queue];
    this.enforceBound();
    this.schedule(0);
  }

  /** Writes everything queued so far; concurrent calls share one write. */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (this.queue.length === 0) return;
    const batch = this.queue;
    this.queue = [];
    this.flushing = this.store
      .writeCallEvents(batch)
      .then(
        () => this.written(batch),
        (error: unknown) => this.failed(batch, error),
      )
      .finally(() => {
        this.flushing = undefined;
      });
    await this.flushing;
  }

  async close(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.flush();
    if (this.queue.length > 0) await this.flush();
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.queue.length > 0)
      this.logger.error({ events: this.queue.length }, 'ALARM: call-log events not written at shutdown');
  }

  private written(batch: readonly CallEvent[]): void {
    this.counters.written(batch.length);
    const now = Date.now();
    this.recent.push({ at: now, events: batch });
    this.recentCount += batch.length;
    while (
      this.recent.length > 0 &&
      ((this.recent[0]?.at ?? now) < now - this.options.replayMs || this.recentCount > this.options.maxQueued)
    ) {
      this.recentCount -= this.recent.shift()?.events.length ?? 0;
    }
    if (this.failingSince !== undefined) {
      this.logger.warn(
        {
          alarm: 'call-log-write',
          failedForMs: now - this.failingSince,
          events: batch.length,
          dropped: this.droppedSinceAlarm,
        },
        'call-log writes recovered: buffered events written',
      );
      this.failingSince = undefined;
      this.lastError = undefined;
      this.droppedSinceAlarm = 0;
    }
    if (this.queue.length > 0) this.schedule(0);
  }

  private failed(batch: readonly CallEvent[], error: unknown): void {
    this.counters.writeFailed();
    this.lastError = (error as Error)?.message ?? String(error);
    this.queue = [...batch, ...this.queue];
    this.enforceBound();
    if (this.failingSince === undefined) {
      this.failingSince = Date.now();
      // One alarm per failure streak, not one per retry.
      this.logger.error(
        { alarm: 'call-log-write', err: error, pending: this.queue.length },
        'ALARM: call-log write failed; events are buffered and retried',
      );
    }
    this.schedule(this.options.retryMs);
  }

  private enforceBound(): void {
    const excess = this.queue.length - this.options.maxQueued;
    if (excess <= 0) return;
    this.queue.splice(0, excess);
    this.counters.dropped(excess);
    if (this.droppedSinceAlarm === 0)
      this.logger.error(
        { alarm: 'call-log-overflow', dropped: excess },
        'ALARM: call-log buffer full: oldest events dropped (counted in switchboard_call_log_events_total)',
      );
    this.droppedSinceAlarm += excess;
  }

  private schedule(delayMs: number): void {
    if (this.timer) {
      if (delayMs > 0) return;
      clearTimeout(this.timer);
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, delayMs);
  }
}
