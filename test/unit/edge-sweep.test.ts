import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { loadServerConfig } from '../../agi-server/src/config.js';
import { routingConfigSchema } from '../../agi-server/src/routing/model.js';
import { buildSnapshot } from '../../agi-server/src/routing/snapshot.js';
import { openSqliteStore } from '../../agi-server/src/store/sqlite-store.js';
import type { CallParties, RecentRecording, TwilioAnswer } from '../../agi-server/src/twilio-rest/index.js';
import {
  documentNumbers,
  EdgeSweep,
  LOOKBACK_MS,
  notOurs,
  OVERLAP_MS,
} from '../../agi-server/src/voicemail/edge-sweep.js';
import { officeConfig, ownedNumbersAndTrunks } from '../support/routing-fixtures.js';

// The recovery sweep's decisions (docs/voicemail.md, "Recovery sweep") against a real SQLite store,
// with Twilio's answers given by the test (the process-level test with the emulator is
// edge-voicemail-sweep.test.ts): what counts as a fallback voicemail, how the high-water mark moves,
// and that nothing worth another look is skipped for good.

const ACCOUNT = `AC${'a'.repeat(32)}`;
const NOW = new Date('2026-12-03T16:00:00Z');
const snapshot = buildSnapshot(
  routingConfigSchema.parse({ ...officeConfig, outbound: { ...ownedNumbersAndTrunks } }),
  1,
);
const sid = (prefix: 'CA' | 'RE') => `${prefix}${randomBytes(16).toString('hex')}`;

function recording(facts: Partial<RecentRecording> = {}): RecentRecording {
  return {
    sid: sid('RE'),
    callSid: sid('CA'),
    source: 'RecordVerb',
    status: 'completed',
    durationSeconds: 4,
    dateCreated: new Date(NOW.getTime() - 10 * 60_000),
    ...facts,
  };
}

function setup(
  listed: () => TwilioAnswer<RecentRecording[]>,
  call: (callSid: string) => TwilioAnswer<CallParties>,
) {
  const store = openSqliteStore(join(mkdtempSync(join(tmpdir(), 'sb-sweep-')), 'store.sqlite'));
  const since: Date[] = [];
  const calls: string[] = [];
  let stored = 0;
  const sweep = new EdgeSweep({
    store,
    snapshot: () => snapshot,
    intake: { context: 'default', mailFrom: 'switchboard@pbx.test', textNotices: false },
    twilio: {
      list: async (from) => {
        since.push(from);
        return listed();
      },
      call: async (callSid) => {
        calls.push(callSid);
        return call(callSid);
      },
    },
    accountSid: ACCOUNT,
    logger: pino({ level: process.env.SWEEP_DEBUG ? 'debug' : 'silent' }),
    clock: () => NOW,
    onStored: () => {
      stored += 1;
    },
  });
  return { store, sweep, since, calls, stored: () => stored };
}

const inbound = (to = '+19863334949'): TwilioAnswer<CallParties> => ({
  kind: 'ok',
  value: { from: '+15125550199', to, direction: 'inbound' },
});

describe('edge voicemail recovery sweep', () => {
  it('recognises a fallback voicemail: <Record>, an inbound call, to one of the document numbers', () => {
    const numbers = documentNumbers(snapshot);
    expect(numbers.has('+19863334949')).toBe(true);
    expect(numbers.has('+19863334950')).toBe(true);
    const call = { from: '+15125550199', to: '+19863334949', direction: 'inbound' };
    expect(notOurs({ source: 'RecordVerb' }, call, numbers)).toBeUndefined();
    expect(notOurs({ source: 'DialVerb' }, call, numbers)).toMatch(/DialVerb/);
    expect(notOurs({ source: 'RecordVerb' }, { ...call, direction: 'outbound-api' }, numbers)).toMatch(
      /outbound/,
    );
    expect(notOurs({ source: 'RecordVerb' }, { ...call, to: '+15550001111' }, numbers)).toMatch(
      /not one of our/,
    );
    expect(notOurs({ source: 'RecordVerb' }, { ...call, to: 'client:ann' }, numbers)).toMatch(
      /not one of our/,
    );
  });

  it('starts 7 days back on an empty store, then from its start less the overlap', async () => {
    const { sweep, since } = setup(
      () => ({ kind: 'ok', value: [] }),
      () => inbound(),
    );
    await sweep.sweep();
    await sweep.sweep();
    expect(NOW.getTime() - (since[0]?.getTime() ?? 0)).toBe(LOOKBACK_MS);
    expect(NOW.getTime() - (since[1]?.getTime() ?? 0)).toBe(OVERLAP_MS);
  });

  it('stores a fallback voicemail once, through the intake, and pokes the outbox', async () => {
    const ours = recording();
    const { store, sweep, stored } = setup(
      () => ({ kind: 'ok', value: [ours] }),
      () => inbound(),
    );
    const first = await sweep.sweep();
    const second = await sweep.sweep();
    expect(first.stored).toEqual([ours.sid]);
    expect(second.stored).toEqual([]);
    expect(stored()).toBe(1);
    const rows = await store.listMessages({ direction: 'voicemail', limit: 10 });
    expect(rows.map((row) => row.sid)).toEqual([ours.sid]);
    expect(rows[0]?.at).toBe(ours.dateCreated.toISOString());
    expect(rows[0]?.voicemail).toMatchObject({ origin: 'edge', callSid: ours.callSid, mailbox: '100' });
    const row = await store.getCall(`edge-${ours.callSid}`);
    expect(row?.note).toContain('found by the recovery sweep');
  });

  it('keeps the mark back for what is worth another look: Twilio away, a recording still processing, a call not fetched', async () => {
    const processing = recording({
      status: 'processing',
      dateCreated: new Date(NOW.getTime() - 3 * 3_600_000),
    });
    const callAway = recording({ dateCreated: new Date(NOW.getTime() - 2 * 3_600_000) });
    let listing: TwilioAnswer<RecentRecording[]> = {
      kind: 'failed',
      reason: 'Twilio answered 503',
      final: false,
    };
    let callAnswer: TwilioAnswer<CallParties> = { kind: 'failed', reason: 'ETIMEDOUT', final: false };
    const { sweep, since, store } = setup(
      () => listing,
      () => callAnswer,
    );
    await sweep.sweep();
    await sweep.sweep();
    // The list failed: the mark did not move.
    expect(since[1]?.getTime()).toBe(since[0]?.getTime());
    listing = { kind: 'ok', value: [processing, callAway] };
    await sweep.sweep();
    await sweep.sweep();
    // Held back to the older of the two, not "now less the overlap".
    expect(since[3]?.getTime()).toBe(processing.dateCreated.getTime());
    // Both become available: both looked at and the voicemail stored.
    listing = { kind: 'ok', value: [{ ...processing, status: 'completed' }, callAway] };
    callAnswer = inbound();
    const report = await sweep.sweep();
    expect(report.stored.sort()).toEqual([processing.sid, callAway.sid].sort());
    expect(await store.listMessages({ direction: 'voicemail', limit: 10 })).toHaveLength(2);
  });

  it('ignores other sources without fetching their call, and remembers a call that was not ours', async () => {
    const dial = recording({ source: 'DialVerb' });
    const other = recording();
    const { sweep, calls, store } = setup(
      () => ({ kind: 'ok', value: [dial, other] }),
      () => inbound('+15550001111'),
    );
    const first = await sweep.sweep();
    await sweep.sweep();
    expect(first.ignored.sort()).toEqual([dial.sid, other.sid].sort());
    expect(calls).toEqual([other.callSid]);
    expect(await store.listMessages({ direction: 'voicemail', limit: 10 })).toHaveLength(0);
  });

  it('reads the SB_EDGE_SWEEP_MINUTES setting: 5 by default, decimals, 0 off, nonsense refused', () => {
    expect(loadServerConfig({}).SB_EDGE_SWEEP_MINUTES).toBe(5);
    expect(loadServerConfig({ SB_EDGE_SWEEP_MINUTES: '0.5' }).SB_EDGE_SWEEP_MINUTES).toBe(0.5);
    expect(loadServerConfig({ SB_EDGE_SWEEP_MINUTES: '0' }).SB_EDGE_SWEEP_MINUTES).toBe(0);
    for (const bad of ['0.01', '-1', '1441', 'often'])
      expect(() => loadServerConfig({ SB_EDGE_SWEEP_MINUTES: bad }), bad).toThrow(/SB_EDGE_SWEEP_MINUTES/);
  });
});
