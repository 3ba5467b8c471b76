/**
 * A clock that reads `start` at the moment it is made and keeps ticking in real time from there.
 * Tests use it to route at the instant they mean (a schedule's open or closed hours) whatever the
 * hour the suite runs. A spawned server gets one from test/support/server-at.ts (run-server.ts's
 * `clock` option); the product has no setting for it.
 */
export function clockFrom(start: Date): () => Date {
  const offsetMs = start.getTime() - Date.now();
  return () => new Date(Date.now() + offsetMs);
}
