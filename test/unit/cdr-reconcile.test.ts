import { appendFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { reconcileCall } from '../../agi-server/src/cdr/reconcile.js';
import { CdrReconciler } from '../../agi-server/src/cdr/reconciler.js';
import { type CdrRecord, cdrFieldsLine, parseCdrLine } from '../../agi-server/src/cdr/record.js';
import { CallLogWriter } from '../../agi-server/src/store/call-log-writer.js';
import { openSqliteStore } from '../../agi-server/src/store/sqlite-store.js';
import type { CallRecord } from '../../agi-server/src/store/types.js';
import { captureLogger } from '../support/capture-logger.js';

// Records as Asterisk 22's res_cdrel_custom writes them with the rendered cdr_custom.conf
// (format = json): user variables URIENCODE()d by the dialplan, times as seconds.
function cdrLine(overrides: Partial<Record<keyof CdrRecord, string | number>> = {}): string {
  return JSON.stringify({
    linkedid: '1795465341.0',
    uniqueid: '1795465341.0',
    channel: 'PJSIP/twilio-00000000',
    dstchannel: 'PJSIP/101-00000001',
    disposition: 'ANSWERED',
    start: 1795465341.065,
    answer: 1795465344.07,
    end: 1795465345.1,
    sbdid: '%2B19863334949',
    sbcaller: '%2B15551230001',
    sbcallsid: 'CA16496c1375b704e393917add6fe20e3d',
    sbaction: 'dial',
    sbreason: '',
    sbstep: '',
    sbdialstatus: 'ANSWER',
    sbpeer: 'PJSIP%2F101-00000001',
    sbfallback: 'TIMEOUT',
    ...overrides,
  });
}
const record = (overrides: Parameters<typeof cdrLine>[0] = {}) =>
  parseCdrLine(cdrLine(overrides)) as CdrRecord;
const context = { extensionByEndpoint: new Map([['101', '101']]), defaultCountry: 'US' as const };

const inProgress: CallRecord = {
  linkedId: '1795465341.0',
  callSid: undefined,
  did: '+19863334951',
  caller: '+15551230001',
  routeId: 'steps',
  routeVersion: 3,
  plan: 'open',
  disposition: 'in-progress',
  answeredBy: undefined,
  startedAt: '2026-11-23T20:22:21.065Z',
  answeredAt: undefined,
  endedAt: undefined,
  note: undefined,
  signature: 'absent',
  steps: [],
};

describe('CDR records', () => {
  it('parses a record, decoding the URIENCODE()d fields; refuses lines that are not ours', () => {
    expect(record()).toMatchObject({
      sbdid: '+19863334949',
      sbpeer: 'PJSIP/101-00000001',
      answer: 1795465344.07,
    });
    expect(parseCdrLine('not json')).toBeUndefined();
    expect(
      parseCdrLine(JSON.stringify({ linkedid: 'a b; DROP', uniqueid: '1', start: 1, end: 2 })),
    ).toBeUndefined();
    expect(parseCdrLine(cdrLine({ sbdid: '%E0%A4%A' }))?.sbdid).toBe('%E0%A4%A');
    // A huge header value (anyone can send one) is cut, and the call stays on record.
    expect(parseCdrLine(cdrLine({ sbcallsid: 'A'.repeat(100_000) }))?.sbcallsid).toHaveLength(256);
  });

  it('renders the field list the parser reads', () => {
    expect(cdrFieldsLine()).toBe(
      'linkedid, uniqueid, channel, dstchannel, disposition, start(double), answer(double), end(double), ' +
        'sbdid(uservar), sbcaller(uservar), sbcallsid(uservar), sbaction(uservar), sbreason(uservar), ' +
        'sbstep(uservar), sbdialstatus(uservar), sbpeer(uservar), sbfallback(uservar)',
    );
  });
});

describe('reconcileCall', () => {
  it('puts a fallback call the server never saw on record: start and end from the CDR', () => {
    expect(reconcileCall([record()], undefined, context)).toEqual([
      {
        type: 'start',
        linkedId: '1795465341.0',
        at: '2026-11-23T20:22:21.065Z',
        callSid: 'CA16496c1375b704e393917add6fe20e3d',
        did: '+19863334949',
        caller: '+15551230001',
        routeId: undefined,
        version: 0,
        plan: undefined,
        note: "static fallback (AGISTATUS=TIMEOUT); recorded from Asterisk's CDR",
        signature: undefined,
      },
      {
        type: 'end',
        linkedId: '1795465341.0',
        at: '2026-11-23T20:22:25.100Z',
        disposition: 'answered',
        answeredBy: '101',
        answeredAt: '2026-11-23T20:22:24.070Z',
      },
    ]);
  });

  it('closes a row left in-progress (lost hangup report) with what the report would have said', () => {
    const records = [
      record({
        dstchannel: 'PJSIP/100-00000001',
        disposition: 'NO ANSWER',
        answer: 0,
        sbfallback: '',
        sbaction: '',
        sbdialstatus: '',
      }),
      record({
        dstchannel: '',
        disposition: 'ANSWERED',
        answer: 1795465344,
        sbfallback: '',
        sbaction: 'voicemail',
        sbstep: '1',
        sbdialstatus: 'NOANSWER',
        sbpeer: '',
      }),
    ];
    expect(reconcileCall(records, inProgress, context)).toEqual([
      {
        type: 'end',
        linkedId: '1795465341.0',
        at: '2026-11-23T20:22:25.100Z',
        disposition: 'voicemail',
        answeredBy: undefined,
        answeredAt: undefined,
      },
    ]);
    // A routed Dial the caller ended: its step gets its outcome, as the report would have done.
    const abandoned = reconcileCall(
      [record({ sbfallback: '', sbstep: '0', sbdialstatus: 'CANCEL', disposition: 'NO ANSWER', answer: 0 })],
      inProgress,
      context,
    );
    expect(abandoned.map((event) => (event.type === 'end' ? event.disposition : event.type))).toEqual([
      'outcome',
      'abandoned',
    ]);
    expect(abandoned[0]).toMatchObject({ attempt: 0, outcome: 'abandoned' });
  });

  it('stores the DID in E.164 as the handlers do; an extension dialled from a phone stays as dialled', () => {
    const [inbound] = reconcileCall([record({ sbdid: '9863334949' })], undefined, context);
    expect(inbound).toMatchObject({ type: 'start', did: '+19863334949' });
    const [outbound] = reconcileCall([record({ sbdid: '101', sbcaller: '100' })], undefined, context);
    expect(outbound).toMatchObject({ type: 'start', did: '101', caller: '100' });
  });

  it('leaves a row the server completed alone, and never takes a forged CallSid', () => {
    expect(reconcileCall([record()], { ...inProgress, disposition: 'answered' }, context)).toEqual([]);
    const [start] = reconcileCall([record({ sbcallsid: 'CA%27%3B--' })], undefined, context);
    expect(start).toMatchObject({ type: 'start', callSid: undefined });
  });
});

describe('CdrReconciler', () => {
  it('reads the file as it grows, once per record, and leaves no row in-progress', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-cdr-'));
    const file = join(dir, 'switchboard-cdr.json');
    const store = openSqliteStore(join(dir, 'switchboard.sqlite'));
    const log = captureLogger();
    const callLog = new CallLogWriter(store, log.logger);
    const ended: string[] = [];
    const reconciler = new CdrReconciler({
      file,
      store,
      callLog,
      context: () => context,
      logger: log.logger,
      clock: () => new Date('2026-11-23T21:00:00Z'),
      onCallEnded: (linkedId) => ended.push(linkedId),
    });
    try {
      // No file yet: Asterisk writes it with the first call that ends.
      expect(await reconciler.runOnce()).toEqual({ records: 0, unreadable: 0, reconciled: 0 });
      await store.writeCallEvents([
        {
          type: 'start',
          linkedId: '2.2',
          at: '2026-11-23T20:30:00.000Z',
          callSid: undefined,
          did: '+19863334949',
          caller: '+15551230001',
          routeId: 'sample',
          version: 1,
          plan: 'open',
          note: undefined,
          signature: 'absent',
        },
      ]);
      writeFileSync(
        file,
        `${cdrLine()}\n${cdrLine({ linkedid: '2.2', uniqueid: '2.2', sbfallback: '' })}\n{"linked`,
      );
      expect(await reconciler.runOnce()).toEqual({ records: 2, unreadable: 0, reconciled: 2 });
      // The half-written line is read once it is whole; a record read before is not read again.
      appendFileSync(
        file,
        `id":"3.3","uniqueid":"3.3","start":1795465400,"end":1795465401,"disposition":"NO ANSWER"}\n`,
      );
      expect(await reconciler.runOnce()).toEqual({ records: 1, unreadable: 0, reconciled: 1 });
      expect(await reconciler.runOnce()).toEqual({ records: 0, unreadable: 0, reconciled: 0 });
      expect(ended).toEqual(['1795465341.0', '2.2', '3.3']);
      const calls = await store.listCalls({ limit: 10 });
      expect(calls.map((call) => [call.linkedId, call.routeId, call.disposition])).toEqual([
        ['2.2', 'sample', 'answered'],
        ['3.3', undefined, 'failed'],
        ['1795465341.0', undefined, 'answered'],
      ]);
      // A restarted server reads the file from its start again: nothing changes.
      const again = new CdrReconciler({
        file,
        store,
        callLog,
        context: () => context,
        logger: log.logger,
        clock: () => new Date('2026-11-23T21:00:00Z'),
      });
      expect(await again.runOnce()).toMatchObject({ records: 3, reconciled: 0 });
    } finally {
      await callLog.close();
      await store.close();
    }
  });
});
