import type { Logger } from 'pino';
import type { CallLogWriter } from './call-log-writer.js';
import type { StoreHealth, SwitchboardStore } from './types.js';

export interface StoreStatus extends StoreHealth {
  /** When the current state began (ISO). */
  readonly since: string;
}

/**
 * Asks the store every `intervalMs` whether it is usable (see SwitchboardStore.health): a store
 * that vanished, was replaced or refuses writes shows within one interval in /health and the
 * `switchboard_store_up` metric, and raises one alarm in the log; when it is usable again the
 * call log is told (a replaced store gets its recent rows again) and writes its buffer.
 */
export class StoreMonitor {
  private status: StoreStatus = {
    ok: true,
    generation: 1,
    problem: undefined,
    since: new Date().toISOString(),
  };
  private timer: NodeJS.Timeout | undefined;
  private checking = false;
  /** The generation seen at the first check: later changes mean the store was replaced. */
  private knownGeneration: number | undefined;

  constructor(
    private readonly store: SwitchboardStore,
    private readonly callLog: CallLogWriter,
    private readonly logger: Logger,
    private readonly onStatus: (status: StoreStatus) => void = () => {},
    /** Called when the store was replaced: what else reads it (the routing) must reload. */
    private readonly onReplaced: () => Promise<unknown> = async () => undefined,
  ) {}

  get current(): StoreStatus {
    return this.status;
  }

  start(intervalMs: number): void {
    void this.check();
    this.timer = setInterval(() => void this.check(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  async check(): Promise<StoreStatus> {
    if (this.checking) return this.status;
    this.checking = true;
    try {
      const health = await this.store.health();
      const previous = this.status;
      const changed = health.ok !== previous.ok;
      this.status = {
        ...health,
        since: changed ? new Date().toISOString() : previous.since,
      };
      const replaced = this.knownGeneration !== undefined && health.generation !== this.knownGeneration;
      this.knownGeneration = health.generation;
      if (replaced) {
        this.logger.error(
          { alarm: 'store-replaced', generation: health.generation },
          'ALARM: the store was replaced under the server and has been reopened',
        );
        this.callLog.storeReplaced();
        await this.onReplaced().catch((error: unknown) =>
          this.logger.error({ err: error }, 'reloading after the store was replaced failed'),
        );
      }
      if (changed && !health.ok) {
        this.logger.error(
          { alarm: 'store-unavailable', problem: health.problem },
          'ALARM: store unusable; call-log events are buffered until it is back',
        );
      } else if (changed) {
        this.logger.warn(
          { alarm: 'store-unavailable', pending: this.callLog.pending },
          'store usable again; writing buffered call-log events',
        );
        void this.callLog.flush();
      }
      this.onStatus(this.status);
      return this.status;
    } finally {
      this.checking = false;
    }
  }
}
