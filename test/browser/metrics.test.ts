import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeAsterisk } from '../support/fake-asterisk.js';
import { officeConfig } from '../support/routing-fixtures.js';
import { startSwitchboard } from '../support/switchboard.js';

// /metrics as Prometheus reads it: Debian's promtool (test/browser/provision.sh installs it)
// parses and lints the exposition. promtool exits 1 when it cannot parse, 3 when it only has
// naming remarks.

/**
 * prom-client's default process metrics name three gauges `…_total`, which promtool's naming
 * lint flags; they are prom-client's standard names (dashboards expect them), so only those
 * remarks are accepted, and none about Switchboard's own metrics.
 */
const PROM_CLIENT_GAUGES_NAMED_TOTAL = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
];

let started: Awaited<ReturnType<typeof startSwitchboard>>;

beforeAll(async () => {
  started = await startSwitchboard({ seed: officeConfig });
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
  it('parses, and lints clean apart from prom-client default names', async () => {
    const text = await (await fetch(`${started.apiUrl}/metrics`)).text();
    expect(text).toContain('switchboard_call_dispositions_total{disposition="voicemail"} 1');
    const { code, output } = promtool(text);
    const remarks = output.split('\n').filter(Boolean);
    expect(code === 0 || code === 3, output).toBe(true);
    for (const remark of remarks) {
      expect(
        PROM_CLIENT_GAUGES_NAMED_TOTAL.some((name) => remark.startsWith(`${name} `)),
        remark,
      ).toBe(true);
    }
  });

  it('fails on text that is not the exposition format (the check can fail)', () => {
    expect(promtool('switchboard_calls{ 1\n').code).toBe(1);
  });
});
