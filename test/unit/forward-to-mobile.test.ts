import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { forwardToMobile } from '../../agi-server/src/messaging/forward-to-mobile.js';
import type { Delivery, NewMessage } from '../../agi-server/src/store/message-types.js';
import { openSqliteStore } from '../../agi-server/src/store/sqlite-store.js';

const NOW = new Date('2026-12-03T10:00:00Z');
const message: NewMessage = {
  id: 'm-1',
  direction: 'inbound',
  sid: `SM${'f'.repeat(32)}`,
  from: '+15125550199',
  to: '+19863334949',
  extensions: ['102'],
  body: 'Ünï ✓ 👋',
  media: [],
  status: 'received',
  reason: undefined,
  at: NOW.toISOString(),
};
const forward = { to: '+15125550102', from: '+19863334949' };
const phone = (target: string) => ({
  kind: 'phone' as const,
  target,
  payload: { from: message.from, body: message.body, forward },
});

async function storeWith(body = message.body) {
  const store = openSqliteStore(join(mkdtempSync(join(tmpdir(), 'sb-forward-')), 'store.sqlite'));
  await store.recordMessage({ ...message, body }, [
    { ...phone('102'), payload: { ...phone('102').payload, body } },
    { ...phone('102-mobile'), payload: { ...phone('102-mobile').payload, body } },
  ]);
  return store;
}

describe('forwardToMobile (messaging.forwardToMobile)', () => {
  it('sends one SMS to the mobile, from the DID, when no phone of the extension is registered; once', async () => {
    const store = await storeWith();
    const [first, second] = (await store.deliveriesOf('m-1')) as [Delivery, Delivery];
    const nobody = async () => false;
    const id = await forwardToMobile(store, first, nobody, NOW);
    expect(id).toBe('m-1:mobile:+15125550102');
    // The other endpoint, a retry, another server: the same forward, not another.
    expect(await forwardToMobile(store, second, nobody, NOW)).toBeUndefined();
    expect(await forwardToMobile(store, first, nobody, NOW)).toBeUndefined();
    expect(await store.getMessage(String(id))).toMatchObject({
      direction: 'outbound',
      from: '+19863334949',
      to: '+15125550102',
      extensions: ['102'],
      body: 'From +15125550199: Ünï ✓ 👋',
      status: 'queued',
      reason: 'forwarded m-1: no phone registered',
    });
    expect(
      (await store.deliveriesOf(String(id))).map((row) => [row.kind, row.target, row.payload.from]),
    ).toEqual([['sms', '+15125550102', '+19863334949']]);
    await store.close();
  });

  it('does not forward when a phone of the extension is registered or already took it', async () => {
    const store = await storeWith();
    const [first, second] = (await store.deliveriesOf('m-1')) as [Delivery, Delivery];
    expect(
      await forwardToMobile(store, first, async (endpoint) => endpoint === '102-mobile', NOW),
    ).toBeUndefined();
    await store.settleDelivery(second.id, { state: 'sent' }, NOW.toISOString());
    expect(await forwardToMobile(store, first, async () => false, NOW)).toBeUndefined();
    expect(await store.getMessage('m-1:mobile:+15125550102')).toBeUndefined();
    await store.close();
  });

  it('keeps the forwarded body within Twilio’s 1,600 characters', async () => {
    const store = await storeWith('é'.repeat(1_600));
    const [first] = (await store.deliveriesOf('m-1')) as [Delivery];
    const id = await forwardToMobile(store, first, async () => false, NOW);
    const body = (await store.getMessage(String(id)))?.body ?? '';
    expect([...body].length).toBe(1_600);
    expect(body.endsWith('…')).toBe(true);
    await store.close();
  });
});
