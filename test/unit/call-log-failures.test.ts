import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../agi-server/src/metrics.js';
import { CallLogWriter } from '../../agi-server/src/store/call-log-writer.js';
import { openSqliteStore } from '../../agi-server/src/store/sqlite-store.js';
import type { CallEvent } from '../../agi-server/src/store/types.js';
import { captureLogger } from '../support/capture-logger.js';

describe('call-log write failures', () => {
  it('are counted in switchboard_call_log_write_failures_total and the events are kept', async () => {
    const store = openSqliteStore(':memory:');
    const metrics = createMetrics(() => 0);
    const writer = new CallLogWriter(store, captureLogger().logger, { flushMs: 5, maxQueued: 10 }, () =>
      metrics.callLogWriteFailures.inc(),
    );
    const event: CallEvent = {
      type: 'start',
      linkedId: 'f.1',
      at: new Date().toISOString(),
      callSid: undefined,
      did: '+19863334949',
      caller: undefined,
      routeId: 'main',
      version: 1,
      plan: 'open',
      note: undefined,
      signature: 'absent',
    };
    // The real store, closed under the writer: its next write fails as a vanished database would.
    await store.close();
    writer.record(event);
    await writer.flush();
    expect(writer.pending).toBe(1);
    expect(
      await metrics.registry.getSingleMetricAsString('switchboard_call_log_write_failures_total'),
    ).toContain('switchboard_call_log_write_failures_total 1');
  });
});
