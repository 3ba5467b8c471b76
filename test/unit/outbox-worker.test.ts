import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type AttemptResult, backoffMs, OutboxWorker } from '../../agi-server/src/messaging/outbox-worker.js';
import type { Delivery, NewMessage } from '../../agi-server/src/store/message-types.js';
import { openSqliteStore } from '../../agi-server/src/store/sqlite-store.js';
import { captureLogger } from '../support/capture-logger.js';

const T0 = Date.parse('2026-12-03T10:00:00Z');
const message: NewMessage = {
  id: 'm-1',
  direction: 'inbound',
  sid: `SM${'a'.repeat(32)}`,
  from: '+15125550199',
  to: '+19863334949',
  extensions: ['100'],
  body: 'Ünï ✓ 👋',
  media: [],
  status: 'received',
  reason: undefined,
  at: new Date(T0).toISOString(),
};
const phone = (target: string) => ({
  kind: 'phone' as const,
  target,
  payload: { from: message.from, body: message.body },
});

/** A phone channel whose endpoints register when the test says so. */
class Phones {
  registered = new Set<string>();
  seen: string[] = [];
  async attempt(delivery: Delivery): Promise<AttemptResult> {
    if (!this.registered.has(delivery.target)) return { kind: 'retry', reason: 'no registered contact' };
    this.seen.push(`${delivery.target}:${delivery.payload.body}`);
    return { kind: 'sent' };
  }
}

describe('the outbox worker', () => {
  it('backs off 1 s, 2 s, 4 s … up to a minute', () => {
    expect([1, 2, 3, 7, 20].map(backoffMs)).toEqual([1_000, 2_000, 4_000, 60_000, 60_000]);
  });

  it('keeps a delivery for an unregistered phone, and delivers it after a restart once the phone registers', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'sb-outbox-')), 'store.sqlite');
    let now = T0;
    const clock = () => new Date(now);
    const logger = captureLogger().logger;
    const phones = new Phones();
    phones.registered.add('100');
    let store = openSqliteStore(path);
    await store.recordMessage(message, [phone('100'), phone('101')]);
    const first = new OutboxWorker({ store, channels: { phone: phones }, logger, clock });
    await first.drainUntilIdle();
    expect(phones.seen).toEqual(['100:Ünï ✓ 👋']);
    expect((await store.deliveriesOf('m-1')).map((row) => [row.target, row.state, row.reason])).toEqual([
      ['100', 'sent', undefined],
      ['101', 'queued', 'no registered contact'],
    ]);
    expect((await store.getMessage('m-1'))?.status).toBe('received');
    // The server stops; the queued delivery is in the file.
    await first.stop();
    await store.close();
    store = openSqliteStore(path);
    phones.registered.add('101');
    now += 500;
    const second = new OutboxWorker({ store, channels: { phone: phones }, logger, clock });
    await second.drainUntilIdle();
    // Not due yet (backoff 1 s) …
    expect(phones.seen).toHaveLength(1);
    // … until the phone's registration wakes it.
    expect(await store.wakeDeliveries('phone', '101', clock().toISOString())).toBe(1);
    await second.drainUntilIdle();
    expect(phones.seen).toEqual(['100:Ünï ✓ 👋', '101:Ünï ✓ 👋']);
    expect(await store.getMessage('m-1')).toMatchObject({ status: 'delivered' });
    await store.close();
  });

  it('fails a delivery after its kind’s attempt limit, with the reason on the message', async () => {
    const store = openSqliteStore(':memory:');
    let now = T0;
    const worker = new OutboxWorker({
      store,
      channels: { sms: { attempt: async () => ({ kind: 'retry', reason: 'HTTP 503' }) } },
      logger: captureLogger().logger,
      clock: () => new Date(now),
      maxAttempts: { sms: 2 },
    });
    await store.recordMessage({ ...message, direction: 'outbound' }, [
      { kind: 'sms', target: '+12125551234', payload: { from: '+19863334949', body: 'x' } },
    ]);
    await worker.drainUntilIdle();
    now += 1_000;
    await worker.drainUntilIdle();
    expect(await store.deliveriesOf('m-1')).toMatchObject([
      { state: 'failed', attempts: 2, reason: 'gave up after 2 attempts: HTTP 503' },
    ]);
    expect(await store.getMessage('m-1')).toMatchObject({ status: 'failed' });
    await store.close();
  });

  it('a mail server that hangs holds up only the mail: a text to a phone stored after it goes at once', async () => {
    const store = openSqliteStore(':memory:');
    const phones = new Phones();
    phones.registered.add('100');
    let releaseMail: (() => void) | undefined;
    const mailAttempts: string[] = [];
    const worker = new OutboxWorker({
      store,
      channels: {
        phone: phones,
        // An SMTP server that accepted the connection and answers nothing (until the test says).
        email: {
          attempt: (delivery) => {
            mailAttempts.push(delivery.target);
            return new Promise((resolve) => {
              releaseMail = () => resolve({ kind: 'sent' });
            });
          },
        },
      },
      logger: captureLogger().logger,
      clock: () => new Date(T0),
    });
    await store.recordMessage({ ...message, id: 'vm-1', extensions: ['100'] }, [
      { kind: 'email', target: 'ann@example.com', payload: { from: message.from, body: 'voicemail' } },
    ]);
    worker.poke();
    await expect.poll(() => mailAttempts).toEqual(['ann@example.com']);
    await store.recordMessage({ ...message, id: 'm-2', sid: `SM${'b'.repeat(32)}` }, [phone('100')]);
    worker.poke();
    await expect.poll(() => phones.seen, { timeout: 2_000 }).toEqual(['100:Ünï ✓ 👋']);
    expect((await store.deliveriesOf('vm-1')).map((row) => row.state)).toEqual(['queued']);
    releaseMail?.();
    await worker.stop();
    await worker.drainUntilIdle();
    expect((await store.deliveriesOf('vm-1')).map((row) => row.state)).toEqual(['sent']);
    await store.close();
  });
});
