import type { Logger } from 'pino';

/**
 * A warning that a flood must not turn into a flood of log lines (refused connections: a port
 * scan, a burst over capacity): at most one line per `key` per `intervalMs`. The lines left out
 * are counted, and the count goes out with the next line of that key, or on its own when the
 * interval ends, so nothing is hidden: the metrics have every refusal, the log has their number.
 */
export function rateLimitedWarn(
  logger: Logger,
  message: string,
  intervalMs = 10_000,
): (key: string, fields: Record<string, unknown>) => void {
  const windows = new Map<string, { suppressed: number; timer: NodeJS.Timeout }>();
  return (key, fields) => {
    const window = windows.get(key);
    if (window) {
      window.suppressed++;
      return;
    }
    logger.warn(fields, message);
    const opened = {
      suppressed: 0,
      timer: setTimeout(() => {
        windows.delete(key);
        if (opened.suppressed > 0)
          logger.warn(
            { reason: key, suppressed: opened.suppressed, intervalMs },
            `${message}: more in the interval, counted, not logged one by one`,
          );
      }, intervalMs),
    };
    // A process may exit with a window open; the timer must not keep it alive.
    opened.timer.unref();
    windows.set(key, opened);
  };
}
