/**
 * A clock that reads `start` at the moment it is made and keeps ticking in real time from there.
 * Tests use it to route at the instant they mean (a schedule's open or closed hours) whatever the
 * hour the suite runs; the server takes it from SB_TEST_CLOCK, which only tests set.
 */
export function clockFrom(start: Date): () => Date {
  const offsetMs = start.getTime() - Date.now();
  return () => new Date(Date.now() + offsetMs);
}
