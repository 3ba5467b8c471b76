import type { Logger } from 'pino';
import { sweepRecordings } from './recordings.js';

/**
 * Enforces `recording.retentionDays` of the routing document: deletes older recordings from
 * SB_RECORDINGS_DIR at start and every hour (docs/recording.md). Returns a stop function.
 */
export function startRecordingRetention(options: {
  readonly dir: string;
  readonly retentionDays: () => number;
  readonly clock: () => Date;
  readonly logger: Logger;
  readonly everyMs?: number;
}): () => void {
  const sweep = () =>
    sweepRecordings(options.dir, options.clock(), options.retentionDays()).then(
      (deleted) => {
        if (deleted.length)
          options.logger.info(
            { event: 'recordings-expired', deleted: deleted.length },
            'old recordings deleted',
          );
      },
      (error: unknown) => options.logger.warn({ err: error }, 'recording retention sweep failed'),
    );
  void sweep();
  const timer = setInterval(sweep, options.everyMs ?? 3_600_000);
  timer.unref();
  return () => clearInterval(timer);
}
