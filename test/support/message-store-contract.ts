import { expect, it } from 'vitest';
import { DELIVERY_KINDS, type NewMessage } from '../../agi-server/src/store/message-types.js';
import type { SwitchboardStore } from '../../agi-server/src/store/types.js';

/** Every kind of delivery: a claim that is not one lane's. */
const ALL = DELIVERY_KINDS;

/**
 * The message log and outbox part of the store contract (store-contract.ts calls it inside its
 * describe): the same behaviour from SQLite and PostgreSQL.
 */

const T0 = '2026-12-03T10:00:00.000Z';
const at = (seconds: number) => new Date(Date.parse(T0) + seconds * 1_000).toISOString();

function inbound(id: string, sid: string, body = 'Ünï ✓ 👋'): NewMessage {
  return {
    id,
    direction: 'inbound',
    sid,
    from: '+15125550199',
    to: '+19863334949',
    extensions: ['100', '101'],
    body,
    media: ['https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1'],
    status: 'received',
    reason: undefined,
    at: T0,
  };
}

const SID = `SM${'a'.repeat(32)}`;

export function describeMessageStoreContract(fresh: () => Promise<SwitchboardStore>): void {
  it('stores a message with its deliveries once: a retried webhook (same SID) adds nothing', async () => {
    const store = await fresh();
    const deliveries = [
      { kind: 'phone' as const, target: '100', payload: { from: '+15125550199', body: 'Ünï ✓ 👋' } },
      { kind: 'phone' as const, target: '101', payload: { from: '+15125550199', body: 'Ünï ✓ 👋' } },
    ];
    expect(await store.recordMessage(inbound('m-1', SID), deliveries)).toBe(true);
    expect(await store.recordMessage(inbound('m-2', SID), deliveries)).toBe(false);
    const message = await store.getMessage('m-1');
    expect(message).toMatchObject({ sid: SID, body: 'Ünï ✓ 👋', bodyBytes: 14, extensions: ['100', '101'] });
    expect(message?.media).toHaveLength(1);
    expect(await store.getMessage('m-2')).toBeUndefined();
    const rows = await store.deliveriesOf('m-1');
    expect(rows.map((row) => [row.kind, row.target, row.state, row.attempts, row.payload.body])).toEqual([
      ['phone', '100', 'queued', 0, 'Ünï ✓ 👋'],
      ['phone', '101', 'queued', 0, 'Ünï ✓ 👋'],
    ]);
  });

  it('leases due deliveries to one owner; a lease that ran out is claimed again', async () => {
    const store = await fresh();
    await store.recordMessage(inbound('m-1', SID), [
      { kind: 'phone', target: '100', payload: { from: 'a', body: 'b' } },
      {
        kind: 'sms',
        target: '+15125550100',
        payload: { from: '+19863334949', body: 'b' },
        notBefore: at(60),
      },
    ]);
    const first = await store.claimDeliveries('server-a', at(1), at(31), 10, ALL);
    expect(first.map((row) => [row.target, row.attempts])).toEqual([['100', 1]]);
    // Leased: nobody else takes it, and the other is not due yet.
    expect(await store.claimDeliveries('server-b', at(2), at(32), 10, ALL)).toEqual([]);
    // server-a died: its lease ran out at +31 s.
    const again = await store.claimDeliveries('server-b', at(40), at(70), 10, ALL);
    expect(again.map((row) => [row.target, row.attempts])).toEqual([['100', 2]]);
    // Each kind is claimed on its own lane: a lane takes only its kinds.
    expect(await store.claimDeliveries('server-b', at(71), at(100), 10, ['email', 'notice'])).toEqual([]);
    expect(
      (await store.claimDeliveries('server-b', at(71), at(100), 10, ['sms'])).map((row) => row.target),
    ).toEqual(['+15125550100']);
    expect(
      (await store.claimDeliveries('server-b', at(71), at(100), 10, ALL)).map((row) => row.target),
    ).toEqual(['100']);
  });

  it('settles attempts: queued again with backoff and a reason, or done with the message status', async () => {
    const store = await fresh();
    await store.recordMessage(inbound('m-1', SID), [
      { kind: 'phone', target: '100', payload: { from: 'a', body: 'b' } },
    ]);
    const [row] = await store.claimDeliveries('s', at(0), at(30), 10, ALL);
    if (!row) throw new Error('nothing claimed');
    await store.settleDelivery(
      row.id,
      { state: 'queued', retryAt: at(300), reason: 'no registered contact' },
      at(1),
    );
    expect(await store.deliveriesOf('m-1')).toMatchObject([
      { state: 'queued', reason: 'no registered contact', nextAttemptAt: at(300) },
    ]);
    expect(await store.claimDeliveries('s', at(2), at(32), 10, ALL)).toEqual([]);
    // The phone registered: due at once.
    expect(await store.wakeDeliveries('phone', '100', at(5))).toBe(1);
    expect(await store.wakeDeliveries('phone', '101', at(5))).toBe(0);
    const [woken] = await store.claimDeliveries('s', at(5), at(35), 10, ALL);
    expect(woken?.attempts).toBe(2);
    await store.settleDelivery(row.id, { state: 'sent' }, at(6), { status: 'delivered' });
    expect(await store.getMessage('m-1')).toMatchObject({ status: 'delivered', updatedAt: at(6) });
    expect(await store.deliveriesOf('m-1')).toMatchObject([{ state: 'sent', reason: undefined }]);
    expect(await store.claimDeliveries('s', at(1_000), at(1_030), 10, ALL)).toEqual([]);
  });

  it("records Twilio's SID on an outbound text, then its status callbacks by SID", async () => {
    const store = await fresh();
    const outbound: NewMessage = {
      ...inbound('o-1', SID),
      direction: 'outbound',
      sid: undefined,
      from: '100',
      to: '+12125551234',
      extensions: ['100'],
      media: [],
      status: 'queued',
    };
    await store.recordMessage(outbound, [
      { kind: 'sms', target: '+12125551234', payload: { from: '+19863334949', body: 'x' } },
    ]);
    const [row] = await store.claimDeliveries('s', at(0), at(30), 10, ALL);
    if (!row) throw new Error('nothing claimed');
    const sid = `SM${'b'.repeat(32)}`;
    await store.settleDelivery(row.id, { state: 'sent' }, at(1), { status: 'sent', sid });
    expect(await store.updateMessageBySid(sid, 'delivered', undefined, at(3))).toMatchObject({
      previous: 'sent',
      message: { id: 'o-1', sid, status: 'delivered' },
    });
    expect(
      await store.updateMessageBySid(`SM${'c'.repeat(32)}`, 'delivered', undefined, at(3)),
    ).toBeUndefined();
    expect(await store.getMessage('o-1')).toMatchObject({ sid, status: 'delivered' });
    // Callbacks out of order: a late `sent` does not take `delivered` back.
    expect(await store.updateMessageBySid(sid, 'sent', undefined, at(4))).toMatchObject({
      previous: 'delivered',
      message: { status: 'delivered' },
    });
    expect(await store.getMessage('o-1')).toMatchObject({ status: 'delivered' });
    // A failure after delivered is still recorded (a final status replaces a final one).
    expect(await store.updateMessageBySid(sid, 'undelivered', 'Twilio error 30003', at(5))).toMatchObject({
      previous: 'delivered',
      message: { status: 'undelivered', reason: 'Twilio error 30003' },
    });
  });

  it('lists messages newest first, by number on either side, extension, direction, status and time', async () => {
    const store = await fresh();
    const make = (id: string, seconds: number, change: Partial<NewMessage>): NewMessage => ({
      ...inbound(id, `SM${id.padStart(32, '0')}`),
      at: at(seconds),
      ...change,
    });
    await store.recordMessage(make('1', 0, {}), []);
    await store.recordMessage(make('2', 10, { extensions: ['102'], from: '+15125550111' }), []);
    await store.recordMessage(
      make('3', 20, {
        direction: 'outbound',
        from: '100',
        to: '+15125550199',
        extensions: ['100'],
        sid: undefined,
        status: 'refused',
      }),
      [],
    );
    const ids = async (filter: Parameters<SwitchboardStore['listMessages']>[0]) =>
      (await store.listMessages(filter)).map((message) => message.id);
    expect(await ids({ limit: 10 })).toEqual(['3', '2', '1']);
    expect(await ids({ limit: 2 })).toEqual(['3', '2']);
    expect(await ids({ number: '+15125550199', limit: 10 })).toEqual(['3', '1']);
    expect(await ids({ extension: '101', limit: 10 })).toEqual(['1']);
    expect(await ids({ extension: '100', limit: 10 })).toEqual(['3', '1']);
    expect(await ids({ direction: 'inbound', limit: 10 })).toEqual(['2', '1']);
    expect(await ids({ status: 'refused', limit: 10 })).toEqual(['3']);
    expect(await ids({ since: at(10), until: at(20), limit: 10 })).toEqual(['2']);
  });

  it('keeps the facts of a voicemail on its message; the outbox summary counts rows by kind and state', async () => {
    const store = await fresh();
    const facts = {
      origin: 'pbx' as const,
      context: 'default',
      mailbox: '100',
      msgId: '1764756000-00000001',
      linkedId: '1764756000.7',
      callerName: 'Ünï Caller',
      routeId: 'sample',
      durationSeconds: 5,
    };
    const voicemail: NewMessage = {
      ...inbound('vm-1', 'vm:default/100/1764756000-00000001', 'Voicemail from +15125550199 (5 s)'),
      direction: 'voicemail',
      extensions: ['100'],
      media: [],
      voicemail: facts,
    };
    expect(
      await store.recordMessage(voicemail, [
        {
          kind: 'email',
          target: 'ann@example.com',
          payload: { from: 'pbx@example.com', subject: 'S', body: 'B' },
        },
        { kind: 'sms', target: '+15125550100', payload: { from: '+19863334949', body: 'b' } },
      ]),
    ).toBe(true);
    // The same spool message seen again (a second scan, another server) adds nothing.
    expect(await store.recordMessage({ ...voicemail, id: 'vm-2' }, [])).toBe(false);
    expect((await store.getMessage('vm-1'))?.voicemail).toEqual(facts);
    expect((await store.listMessages({ direction: 'voicemail', limit: 5 })).map((m) => m.id)).toEqual([
      'vm-1',
    ]);
    await store.recordMessage(inbound('m-1', SID), [
      { kind: 'phone', target: '100', payload: { from: 'a', body: 'b' } },
    ]);
    expect((await store.getMessage('m-1'))?.voicemail).toBeUndefined();
    const [email] = (await store.deliveriesOf('vm-1')).filter((row) => row.kind === 'email');
    expect(email?.payload).toEqual({ from: 'pbx@example.com', subject: 'S', body: 'B' });
    await store.settleDelivery(email?.id ?? 0, { state: 'failed', reason: 'refused' }, at(5));
    expect(await store.outboxSummary()).toEqual([
      { kind: 'email', state: 'failed', count: 1, oldest: at(5) },
      { kind: 'phone', state: 'queued', count: 1, oldest: T0 },
      { kind: 'sms', state: 'queued', count: 1, oldest: T0 },
    ]);
  });
}
