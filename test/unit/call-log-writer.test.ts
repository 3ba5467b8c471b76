import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { routingConfigSchema } from '../../agi-server/src/routing/model.js';
import { CallLogWriter } from '../../agi-server/src/store/call-log-writer.js';
import { NonceCache } from '../../agi-server/src/store/nonce-cache.js';
import { openSqliteStore } from '../../agi-server/src/store/sqlite-store.js';
import type { CallEvent } from '../../agi-server/src/store/types.js';
import { captureLogger } from '../support/capture-logger.js';
import { officeConfig } from '../support/routing-fixtures.js';

const start = (linkedId: string): CallEvent => ({
  type: 'start',
  linkedId,
  at: '2026-11-23T16:00:00.000Z',
  callSid: undefined,
  did: '+19863334949',
  caller: undefined,
  routeId: 'main',
  version: 1,
  plan: 'open',
  note: undefined,
  signature: 'absent',
});

function counting() {
  const counts = { written: 0, dropped: 0, failures: 0 };
  return {
    counts,
    counters: {
      written: (n: number) => {
        counts.written += n;
      },
      dropped: (n: number) => {
        counts.dropped += n;
      },
      writeFailed: () => {
        counts.failures++;
      },
    },
  };
}

describe('call-log writer against a real SQLite store that fails', () => {
  it('keeps a bounded buffer while the store is gone, counts exactly what it drops, alarms once', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'sb-writer-')), 'db', 'store.sqlite');
    const store = openSqliteStore(path);
    await store.appendVersion({
      config: routingConfigSchema.parse(officeConfig),
      author: 't',
      summary: 's',
      basedOn: undefined,
    });
    const log = captureLogger();
    const { counts, counters } = counting();
    const writer = new CallLogWriter(store, log.logger, counters, {
      flushMs: 1,
      maxQueued: 10,
      retryMs: 60_000,
    });
    rmSync(dirname(path), { recursive: true });
    writer.record(...Array.from({ length: 6 }, (_, i) => start(`a.${i}`)));
    await writer.flush();
    writer.record(...Array.from({ length: 9 }, (_, i) => start(`b.${i}`)));
    await writer.flush();
    expect(writer.pending).toBe(10);
    expect(counts).toEqual({ written: 0, dropped: 5, failures: 2 });
    expect(writer.failure?.error).toMatch(/missing/);
    expect(log.lines.filter((line) => line.alarm === 'call-log-write' && line.level === 50)).toHaveLength(1);
    writer.record(start('c.1'), start('c.2'));
    expect(counts.dropped).toBe(7);
    expect(log.lines.filter((line) => line.alarm === 'call-log-overflow')).toHaveLength(1);
    await store.close();
  });
});

describe('nonce replay cache', () => {
  it('gives a nonce to one owner until it expires, and stays bounded', () => {
    const cache = new NonceCache(100);
    expect(cache.claim('n1', 'call-a', 2_000, 1_000)).toBe(true);
    expect(cache.claim('n1', 'call-a', 2_000, 1_500)).toBe(true);
    expect(cache.claim('n1', 'call-b', 2_000, 1_500)).toBe(false);
    // After its window the header set is refused as stale anyway; the entry may go.
    expect(cache.claim('n1', 'call-b', 3_000, 2_500)).toBe(true);
    for (let index = 0; index < 1_000; index++) cache.claim(`x${index}`, 'c', 10_000, 1_000);
    expect(cache.size).toBeLessThanOrEqual(100);
    expect(cache.claim('x999', 'other', 10_000, 1_000)).toBe(false);
  });
});
