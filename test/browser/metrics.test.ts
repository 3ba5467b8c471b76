import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clockFrom, WEEKDAY_NOON_CHICAGO } from '../support/clock.js';
import { FakeAsterisk } from '../support/fake-asterisk.js';
import { officeConfig } from '../support/routing-fixtures.js';
import { startSwitchboard } from '../support/switchboard.js';

// /metrics as Prometheus reads it: Debian's promtool (test/browser/provision.sh installs it)
// parses and lints the exposition. promtool exits 1 when it cannot parse, 3 when it has lint
// remarks (names, help, types), 0 when both are clean.

let started: Awaited<ReturnType<typeof startSwitchboard>>;

beforeAll(async () => {
  started = await startSwitchboard({ seed: officeConfig, clock: clockFrom(new Date(WEEKDAY_NOON_CHICAGO)) });
  // Some traffic, so that labelled counters have series to check.
  const inbound = await FakeAsterisk.start(started.agiPort, 'inbound?did=%2B19863334949&linkedid=p.1');
  await inbound.serve();
  const hangup = await FakeAsterisk.start(
    started.agiPort,
    'hangup?linkedid=p.1&action=voicemail&step=1&dialstatus=NOANSWER',
  );
  await hangup.serve();
});
afterAll(async () => {
  await started?.switchboard.close(500);
});

function promtool(text: string) {
  const run = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  if (run.error) throw new Error(`promtool not found: run test/browser/provision.sh (${run.error.message})`);
  return { code: run.status, output: `${run.stdout}${run.stderr}` };
}

describe('/metrics with promtool check metrics', () => {
  it('parses and lints clean', async () => {
    const text = await (await fetch(`${started.apiUrl}/metrics`)).text();
    expect(text).toContain('switchboard_call_dispositions_total{disposition="voicemail"} 1');
    expect(text).toContain('process_resident_memory_bytes');
    expect(promtool(text)).toEqual({ code: 0, output: '' });
  });

  it('fails on a lint problem too: a gauge named like a counter', () => {
    const gauge = '# HELP sb_things_total a gauge\n# TYPE sb_things_total gauge\nsb_things_total 1\n';
    expect(promtool(gauge).code).toBe(3);
  });

  it('fails on text that is not the exposition format (the check can fail)', () => {
    expect(promtool('switchboard_calls{ 1\n').code).toBe(1);
  });
});
