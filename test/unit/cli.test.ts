import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeAsterisk } from '../support/fake-asterisk.js';
import { officeConfig } from '../support/routing-fixtures.js';
import { startSwitchboard } from '../support/switchboard.js';

const run = promisify(execFile);
let started: Awaited<ReturnType<typeof startSwitchboard>>;
const dir = mkdtempSync(join(tmpdir(), 'sb-cli-'));

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      ['--import', 'tsx', 'agi-server/src/cli/main.ts', ...args],
      {
        env: {
          ...process.env,
          SWITCHBOARD_URL: started.apiUrl,
          SWITCHBOARD_TOKEN: started.token,
          SWITCHBOARD_AUTHOR: 'cli-test',
        },
      },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

beforeAll(async () => {
  started = await startSwitchboard({ seed: officeConfig });
});
afterAll(async () => {
  await started.switchboard.close(500);
});

describe('switchboard CLI', () => {
  it('lists routes as a table', async () => {
    const { code, stdout } = await cli('routes', 'list');
    expect(code).toBe(0);
    expect(stdout.split('\n')[0]).toMatch(/^ID\s+DID\s+CALLER\s+SCHEDULE\s+FIRST STEP$/);
    expect(stdout).toMatch(/main\s+\+19863334949\s+\*\s+office\s+ring-group/);
    expect(stdout).toMatch(/main-uk\s+\+19863334949\s+\+44\*/);
  });

  it('applies a YAML file as one version, shows it, and history names the author', async () => {
    const file = join(dir, 'night.yaml');
    writeFileSync(
      file,
      'extensions:\n  - { number: "104", name: Night desk }\nroutes:\n  - id: night-line\n    did: "986-333-4970"\n    plans: { open: [{ type: extension, extension: "104" }] }\n',
    );
    const applied = await cli('routes', 'apply', file);
    expect(applied).toMatchObject({ code: 0 });
    expect(applied.stdout).toMatch(/^version \d+: apply 1 route\(s\), 1 extension\(s\)/);
    expect(JSON.parse((await cli('--json', 'routes', 'show', 'night-line')).stdout)).toMatchObject({
      did: '+19863334970',
    });
    expect((await cli('routes', 'history', '-n', '1')).stdout).toMatch(/cli-test\s+apply 1 route/);
  });

  it('prints the API validation issues for a bad file and exits 1, changing nothing', async () => {
    const before = started.switchboard.routing.snapshot.version;
    const file = join(dir, 'bad.json');
    writeFileSync(
      file,
      JSON.stringify({
        routes: [{ id: 'x', did: '+19863334971', plans: { open: [{ type: 'hunt', extensions: [] }] } }],
      }),
    );
    const result = await cli('routes', 'apply', file);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('400 invalid request');
    expect(result.stderr).toContain('body.routes.0.plans.open.0.extensions');
    expect(started.switchboard.routing.snapshot.version).toBe(before);
  });

  it('explains a call step by step', async () => {
    const { stdout } = await cli(
      'explain',
      '--to',
      '9863334949',
      '--from',
      '+15557654321',
      '--at',
      '2026-11-23T10:00:00-06:00',
    );
    expect(stdout).toContain('+19863334949: route main');
    expect(stdout).toContain('open plan');
    expect(stdout).toContain('1. ring-group 100,101 for 20s');
    expect(stdout).toContain('4. voicemail 100');
    // 20 s ring group, then a hunt of two members for 10 s each.
    expect(stdout).toContain('rings up to 40s before voicemail (the Twilio edge waits 120s)');
  });

  it('sets and lists extensions, removes a route and rolls back', async () => {
    expect((await cli('ext', 'set', '105', '--name', 'Lab', '--endpoint', '105', '105-soft')).code).toBe(0);
    expect((await cli('ext', 'list')).stdout).toMatch(/105\s+Lab\s+105,105-soft\s+-\s+-/);
    // Only an owned number can be an extension's caller ID.
    const notOwned = await cli('ext', 'set', '106', '--name', 'Lab', '--caller-id', '+15550001234');
    expect(notOwned.code).toBe(1);
    expect(notOwned.stderr).toContain('must be one of outbound.ownedNumbers');
    expect((await cli('routes', 'rm', 'night-line')).stdout).toMatch(/delete route night-line/);
    expect((await cli('routes', 'rollback')).stdout).toMatch(/rollback to version/);
    expect(started.switchboard.routing.snapshot.routesById.has('night-line')).toBe(true);
  });

  it('tails the call log', async () => {
    const asterisk = await FakeAsterisk.start(started.agiPort, 'inbound?did=%2B19863334949&linkedid=77.1');
    await asterisk.serve();
    await started.switchboard.callLog.flush();
    const { stdout } = await cli('calls', 'tail', '-n', '5');
    expect(stdout).toMatch(/77\.1\s+\+19863334949\s+\+15551230001\s+main\s+in-progress/);
  });

  it('says clearly when the token is missing or wrong', async () => {
    const result = await run(
      process.execPath,
      ['--import', 'tsx', 'agi-server/src/cli/main.ts', 'routes', 'list'],
      {
        env: { ...process.env, SWITCHBOARD_URL: started.apiUrl, SWITCHBOARD_TOKEN: '' },
      },
    ).catch((error: unknown) => error as { code: number; stderr: string });
    expect(result).toMatchObject({ code: 1 });
    expect((result as { stderr: string }).stderr).toContain('401 missing or invalid bearer token');
  });
});

describe('switchboard CLI: outbound', () => {
  it('sets a policy, shows it, and explains a number', async () => {
    const api = (method: string, path: string, body: unknown) =>
      fetch(`${started.apiUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${started.token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    await api('PUT', '/outbound/trunks/east', { endpoint: 'twilio-east' });
    const current = await (
      await fetch(`${started.apiUrl}/outbound`, { headers: { authorization: `Bearer ${started.token}` } })
    ).json();
    await api('PUT', '/outbound', {
      ...current,
      ownedNumbers: ['+19863334949'],
      defaultCallerId: '+19863334949',
    });

    expect(
      (
        await cli(
          'outbound',
          'policy',
          'default',
          '--allow',
          'national',
          '--calls-per-minute',
          '4',
          '--concurrent',
          '1',
        )
      ).stdout,
    ).toMatch(/put outbound policy default/);
    expect((await cli('outbound', 'show')).stdout).toMatch(
      /default \(default\)\s+national\s+-\s+4\s+1\s+all/,
    );
    expect((await cli('outbound', 'explain', '--ext', '100', '--dial', '92125551234')).stdout).toBe(
      '92125551234 from 100: +12125551234 with caller ID +19863334949\n  1. +12125551234 via trunk east\n',
    );
    expect((await cli('outbound', 'explain', '--ext', '100', '--dial', '9011442071838750')).stdout).toBe(
      '9011442071838750 from 100: denied (not-national) +442071838750\n',
    );
  });
});
