import { existsSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decisionVariables } from '../../agi-server/src/handlers/decision-variables.js';
import { expiredRecordings, recordingPath, sweepRecordings } from '../../agi-server/src/media/recordings.js';
import { routingConfigSchema } from '../../agi-server/src/routing/model.js';
import { decideOutbound } from '../../agi-server/src/routing/outbound-decision.js';
import { recordingFor } from '../../agi-server/src/routing/recording-model.js';
import { routeCall } from '../../agi-server/src/routing/router.js';
import { buildSnapshot } from '../../agi-server/src/routing/snapshot.js';
import { officeConfig } from '../support/routing-fixtures.js';

const MONDAY_10_CHICAGO = new Date('2026-11-23T16:00:00Z');
const recording = {
  announcement: 'custom/recorded',
  rules: [
    { id: 'not-vip', route: 'main-vip', record: false },
    { id: 'main-in', direction: 'inbound' as const, route: 'main' },
    { id: 'sales-any', extension: '102' },
  ],
};
const snapshot = buildSnapshot(routingConfigSchema.parse({ ...officeConfig, recording }), 5);

describe('recording rules', () => {
  it('checks ids, routes, extensions and a route on an outbound rule, with paths', () => {
    const result = routingConfigSchema.safeParse({
      ...officeConfig,
      recording: {
        rules: [
          { id: 'a', route: 'nope' },
          { id: 'a', extension: '999' },
          { id: 'b', direction: 'outbound', route: 'main' },
        ],
        retentionDays: 0,
      },
    });
    expect(result.error?.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`)).toContain(
      'recording.retentionDays: Too small: expected number to be >=1',
    );
    const cross = routingConfigSchema.safeParse({
      ...officeConfig,
      recording: {
        rules: [
          { id: 'a', route: 'nope' },
          { id: 'a', extension: '999' },
          { id: 'b', direction: 'outbound', route: 'main' },
        ],
      },
    });
    expect(cross.error?.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`)).toEqual([
      'recording.rules.1.id: duplicate id',
      'recording.rules.0.route: unknown route nope',
      'recording.rules.1.extension: unknown extension 999',
      'recording.rules.2.route: a route takes inbound calls only',
    ]);
  });

  it('the first matching rule decides: per route, per extension, per direction', () => {
    const rules = snapshot.config.recording;
    expect(recordingFor(rules, 'inbound', 'main', ['100'])).toEqual({
      rule: 'main-in',
      announcement: 'custom/recorded',
      mode: 'always',
      side: 'callee',
    });
    expect(recordingFor(rules, 'inbound', 'main-vip', ['102'])).toBeUndefined(); // record: false first
    expect(recordingFor(rules, 'outbound', undefined, ['102'])).toMatchObject({ rule: 'sales-any' });
    expect(recordingFor(rules, 'outbound', undefined, ['100'])).toBeUndefined();
  });

  it('puts the choice on Dial decisions, inbound and outbound', () => {
    expect(
      routeCall(
        snapshot,
        { did: '+19863334949', caller: '+15557654321', callerName: undefined },
        MONDAY_10_CHICAGO,
      ),
    ).toMatchObject({
      action: 'dial',
      record: { rule: 'main-in' },
    });
    expect(decideOutbound(snapshot, '102', '100', 0)).toMatchObject({
      action: 'dial',
      record: { rule: 'sales-any' },
    });
    const unrecorded = decideOutbound(snapshot, '100', '101', 0);
    expect(unrecorded.action).toBe('dial');
    expect(unrecorded.action === 'dial' ? unrecorded.record : 'not a dial').toBeUndefined();
  });
});

describe('recording on demand', () => {
  const onDemand = buildSnapshot(
    routingConfigSchema.parse({
      ...officeConfig,
      recording: {
        announcement: 'custom/recorded',
        rules: [
          { id: 'no-vip', route: 'main-vip', record: false },
          { id: 'ask', record: 'on-demand' },
        ],
      },
    }),
    6,
  );

  it('an on-demand rule gives the phone side the feature code: the callee inbound, the caller outbound; no announcement', () => {
    const inbound = routeCall(
      onDemand,
      { did: '+19863334949', caller: '+15557654321', callerName: undefined },
      MONDAY_10_CHICAGO,
    );
    expect(inbound).toMatchObject({
      action: 'dial',
      record: { rule: 'ask', mode: 'on-demand', side: 'callee' },
    });
    expect(Object.fromEntries(decisionVariables(inbound))).toMatchObject({
      SB_RECORD: '',
      SB_RECORD_ANNOUNCEMENT: '',
      SB_RECORD_ON_DEMAND: 'callee',
    });
    const outbound = decideOutbound(onDemand, '102', '100', 0);
    expect(Object.fromEntries(decisionVariables(outbound))).toMatchObject({
      SB_RECORD: '',
      SB_RECORD_ON_DEMAND: 'caller',
    });
  });

  it('record: false keeps the call out of reach of the feature code too', () => {
    const vip = routeCall(
      onDemand,
      { did: '+19863334949', caller: '+15550001111', callerName: undefined },
      MONDAY_10_CHICAGO,
    );
    expect(vip.action).toBe('dial');
    expect(Object.fromEntries(decisionVariables(vip))).toMatchObject({
      SB_RECORD: '',
      SB_RECORD_ON_DEMAND: '',
    });
  });

  it('a rule recording from the answer sets SB_RECORD and no feature code', () => {
    expect(
      Object.fromEntries(
        decisionVariables(
          routeCall(
            snapshot,
            { did: '+19863334949', caller: '+15557654321', callerName: undefined },
            MONDAY_10_CHICAGO,
          ),
        ),
      ),
    ).toMatchObject({
      SB_RECORD: '1',
      SB_RECORD_ANNOUNCEMENT: 'custom/recorded',
      SB_RECORD_ON_DEMAND: '',
    });
  });
});

describe('recording files', () => {
  it('confines a request to <linkedid>.wav inside the folder', () => {
    expect(recordingPath('/var/rec', '1796293804.0')).toBe('/var/rec/1796293804.0.wav');
    for (const bad of ['../etc/passwd', '..', '.hidden', 'a/b', '', 'x'.repeat(65)]) {
      expect(recordingPath('/var/rec', bad), bad).toBeUndefined();
    }
  });

  it('deletes recordings older than the retention, and only those', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-rec-'));
    const now = new Date('2026-12-03T12:00:00Z');
    for (const [name, daysOld] of [
      ['1.0.wav', 31],
      ['2.0.wav', 29],
      ['notes.txt', 400],
    ] as const) {
      writeFileSync(join(dir, name), 'x');
      const at = new Date(now.getTime() - daysOld * 86_400_000);
      utimesSync(join(dir, name), at, at);
    }
    expect(expiredRecordings([{ name: '1.0.wav', modifiedMs: 0 }], now, 30)).toEqual(['1.0.wav']);
    expect(await sweepRecordings(dir, now, 30)).toEqual(['1.0.wav']);
    expect([
      existsSync(join(dir, '1.0.wav')),
      existsSync(join(dir, '2.0.wav')),
      existsSync(join(dir, 'notes.txt')),
    ]).toEqual([false, true, true]);
  });
});
