import type { Logger } from 'pino';
import type { CallEvent, SwitchboardStore } from './types.js';

/**
 * Takes call-log events from the AGI handlers without waiting for the database: `record` only
 * queues, a timer writes batches in one transaction. A failed write keeps the events for the
 * next try (bounded); `close` writes what is left, so SIGTERM loses nothing.
 */
export class CallLogWriter {
  private queue: CallEvent[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;

  constructor(
    private readonly store: SwitchboardStore,
    private readonly logger: Logger,
    private readonly options: { flushMs: number; maxQueued: number } = { flushMs: 25, maxQueued: 100_000 },
  ) {}

  get pending(): number {
    return this.queue.length;
  }

  record(...events: CallEvent[]): void {
    this.queue.push(...events);
    if (this.queue.length > this.options.maxQueued) {
      const dropped = this.queue.splice(0, this.queue.length - this.options.maxQueued);
      this.logger.error({ dropped: dropped.length }, 'call log queue full: oldest events dropped');
    }
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, this.options.flushMs);
  }

  /** Writes everything queued so far; concurrent calls share one write. */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (this.queue.length === 0) return;
    const batch = this.queue;
    this.queue = [];
    this.flushing = this.store
      .writeCallEvents(batch)
      .catch((error: unknown) => {
        this.logger.error({ err: error, events: batch.length }, 'call log write failed; will retry');
        this.queue = [...batch, ...this.queue];
        this.timer ??= setTimeout(() => {
          this.timer = undefined;
          void this.flush();
        }, 1_000);
      })
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
  }
}
