import { useEffect } from 'preact/hooks';

/**
 * Reads something now and again every `intervalMs` while the view is on screen (the call list,
 * a call in progress, the message log). `load(isStopped)` does the reading and setting; it checks
 * `isStopped()` after each await so a view that left never sets state. `deps` restart it.
 */
export function usePolling(load, intervalMs, deps) {
  useEffect(() => {
    let stopped = false;
    const isStopped = () => stopped;
    const run = () => load(isStopped);
    run();
    const timer = setInterval(run, intervalMs);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, deps);
}
