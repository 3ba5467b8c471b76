import type { Logger } from 'pino';
import type { OutboxSummaryRow } from '../store/message-types.js';
import type { SwitchboardStore } from '../store/types.js';

/**
 * The outbox's counts by kind and state, read from the store every few seconds so that /health
 * and /metrics answer from memory (docs/voicemail.md): an email waiting for the mail server shows
 * as `queued` with how long the oldest has waited and why.
 */
export class OutboxMonitor {
  private rows: readonly OutboxSummaryRow[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: Pick<SwitchboardStore, 'outboxSummary'>,
    private readonly logger: Logger,
  ) {}

  get current(): readonly OutboxSummaryRow[] {
    return this.rows;
  }

  async refresh(): Promise<void> {
    try {
      this.rows = await this.store.outboxSummary();
    } catch (error) {
      this.logger.debug({ err: error }, 'outbox summary unavailable');
    }
  }

  start(intervalMs: number): void {
    void this.refresh();
    this.timer ??= setInterval(() => void this.refresh(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
