import { open, stat } from 'node:fs/promises';
import type { Logger } from 'pino';
import type { CallLogWriter } from '../store/call-log-writer.js';
import type { SwitchboardStore } from '../store/types.js';
import { groupByCall, type ReconcileContext, reconcileCall } from './reconcile.js';
import { type CdrRecord, parseCdrLine } from './record.js';

export interface CdrReconcilerOptions {
  /** The CDR file Asterisk writes (cdr_custom.conf, rendered from asterisk-config). */
  readonly file: string;
  readonly store: SwitchboardStore;
  readonly callLog: CallLogWriter;
  readonly context: () => ReconcileContext;
  readonly logger: Logger;
  /** Records of calls that ended longer ago than this are not looked at (a long history on start). */
  readonly windowMs?: number;
  readonly clock?: () => Date;
  /** Told of each call the CDR closed (a lost hangup report): e.g. the outbound limiter's release. */
  readonly onCallEnded?: (linkedId: string) => void;
}

export interface ReconcileResult {
  /** Records read in this pass (ours, parsed). */
  readonly records: number;
  readonly unreadable: number;
  /** Calls whose row was created or closed from the CDR. */
  readonly reconciled: number;
}

const DEFAULT_WINDOW_MS = 24 * 60 * 60 * 1000;
/** At most this much of the file is read per pass, so one pass stays short. */
const MAX_READ_BYTES = 16 * 1024 * 1024;

/**
 * Reads the CDR file from where the last pass stopped (from its start after a restart) and puts
 * on record what the call log is missing (see docs/call-log.md). Runs at start and then on a
 * timer; a pass never runs twice at once. A file that shrank was rotated: read from its start.
 */
export class CdrReconciler {
  private offset = 0;
  private running: Promise<ReconcileResult> | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: CdrReconcilerOptions) {}

  start(intervalMs: number): void {
    const tick = () => {
      this.runOnce()
        .catch((error: unknown) => this.options.logger.error({ err: error }, 'CDR reconciliation failed'))
        .finally(() => {
          if (this.timer) this.timer = setTimeout(tick, intervalMs);
        });
    };
    this.timer = setTimeout(tick, 0);
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  runOnce(): Promise<ReconcileResult> {
    this.running ??= this.pass().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async pass(): Promise<ReconcileResult> {
    const { logger, store, callLog } = this.options;
    const lines = await this.readNewLines();
    const cutoff =
      (this.options.clock?.() ?? new Date()).getTime() / 1000 -
      (this.options.windowMs ?? DEFAULT_WINDOW_MS) / 1000;
    const records: CdrRecord[] = [];
    let unreadable = 0;
    for (const line of lines) {
      if (line.trim() === '') continue;
      const record = parseCdrLine(line);
      if (!record) unreadable++;
      else if (record.end >= cutoff) records.push(record);
    }
    if (unreadable > 0)
      logger.warn({ unreadable }, 'CDR lines that are not Switchboard records were skipped');
    // Reports that already arrived must be in the store before we compare with it.
    await callLog.flush();
    const context = this.options.context();
    let reconciled = 0;
    for (const [linkedId, callRecords] of groupByCall(records)) {
      const events = reconcileCall(callRecords, await store.getCall(linkedId), context);
      if (events.length === 0) continue;
      callLog.record(...events);
      if (events.some((event) => event.type === 'end')) this.options.onCallEnded?.(linkedId);
      reconciled++;
    }
    await callLog.flush();
    if (reconciled > 0) {
      logger.info(
        { event: 'cdr-reconciled', reconciled, records: records.length },
        'calls put on record from the CDR',
      );
    }
    return { records: records.length, unreadable, reconciled };
  }

  /** Complete lines added since the last pass; a partial last line waits for the next one. */
  private async readNewLines(): Promise<string[]> {
    let size: number;
    try {
      size = (await stat(this.options.file)).size;
    } catch (error) {
      // No file yet: Asterisk writes it with the first call that ends.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    if (size < this.offset) this.offset = 0;
    if (size === this.offset) return [];
    const length = Math.min(size - this.offset, MAX_READ_BYTES);
    const handle = await open(this.options.file, 'r');
    try {
      const buffer = Buffer.alloc(length);
      const { bytesRead } = await handle.read(buffer, 0, length, this.offset);
      const end = buffer.lastIndexOf(0x0a, bytesRead - 1);
      if (end === -1) {
        // A "line" longer than a whole read is no record of ours: step over it, or stay stuck.
        if (bytesRead === MAX_READ_BYTES) {
          this.offset += bytesRead;
          this.options.logger.warn({ bytes: bytesRead }, 'CDR file: an overlong line was skipped');
        }
        return [];
      }
      this.offset += end + 1;
      return buffer.subarray(0, end).toString('utf8').split('\n');
    } finally {
      await handle.close();
    }
  }
}
