import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EXIT_CONFIG } from '../../agi-server/src/config.js';

// The AGI server's systemd unit: systemd's own parser accepts it, it starts what `npm run build`
// produces without a seed flag, and it does not restart on a configuration the operator must fix.
const UNIT = 'agi-server/systemd/switchboard-agi.service';
const unit = readFileSync(UNIT, 'utf8');
const setting = (key: string) =>
  [...unit.matchAll(new RegExp(`^${key}=(.*)$`, 'gm'))].map((match) => match[1] as string);
const hasSystemdAnalyze = spawnSync('systemd-analyze', ['--version']).status === 0;

describe('systemd unit for the AGI server', () => {
  it.skipIf(!hasSystemdAnalyze)(
    'passes systemd-analyze verify with nothing to report (CI runs the same script)',
    () => {
      expect(execFileSync('bash', ['agi-server/systemd/verify.sh'], { encoding: 'utf8' })).toContain(
        'found nothing to report',
      );
    },
  );

  it("runs the built entry point (agi-server's switchboard-agi bin) with no seed flag", () => {
    const pkg = JSON.parse(readFileSync('agi-server/package.json', 'utf8')) as {
      bin: Record<string, string>;
    };
    expect(setting('ExecStart')).toEqual([`/usr/bin/env node agi-server/${pkg.bin['switchboard-agi']}`]);
    expect(unit).not.toMatch(/^ExecStart=.*--seed/m);
  });

  it('stops with SIGTERM and time to drain, logs to the journal, never restarts on a config error', () => {
    expect(setting('KillSignal')).toEqual(['SIGTERM']);
    expect(Number(setting('TimeoutStopSec')[0])).toBeGreaterThan(10);
    expect(setting('StandardOutput')).toEqual(['journal']);
    expect(setting('RestartPreventExitStatus')).toEqual([String(EXIT_CONFIG)]);
    expect(setting('Environment')).toContain('SB_DB_PATH=/var/lib/switchboard/switchboard.sqlite');
    expect(setting('StateDirectory')).toEqual(['switchboard']);
  });
});
