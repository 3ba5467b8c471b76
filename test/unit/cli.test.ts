import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Command, CommanderError } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allCommands, buildProgram } from '../../agi-server/src/cli/program.js';
import { FakeAsterisk } from '../support/fake-asterisk.js';
import { officeConfig } from '../support/routing-fixtures.js';
import { startSwitchboard } from '../support/switchboard.js';

let started: Awaited<ReturnType<typeof startSwitchboard>>;
const dir = mkdtempSync(join(tmpdir(), 'sb-cli-'));

type CliResult = { code: number; stdout: string; stderr: string };

/** Runs the CLI as a user would, with `env` over the test's settings; `{ stdin }` last pipes text in. */
async function cliWith(
  env: Record<string, string>,
  ...args: Array<string | { stdin: string }>
): Promise<CliResult> {
  const input = args.find((arg): arg is { stdin: string } => typeof arg !== 'string');
  const argv = args.filter((arg): arg is string => typeof arg === 'string');
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      ['--import', 'tsx', 'agi-server/src/cli/main.ts', ...argv],
      {
        env: {
          ...process.env,
          SWITCHBOARD_URL: started.apiUrl,
          SWITCHBOARD_TOKEN: started.token,
          SWITCHBOARD_AUTHOR: 'cli-test',
          ...env,
        },
      },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
    );
    child.stdin?.end(input?.stdin ?? '');
  });
}

function cli(...args: string[]): Promise<CliResult> {
  return cliWith({}, ...args);
}

beforeAll(async () => {
  // Monday 10:00 in Chicago: the office schedule is open, whatever the hour the test runs at.
  started = await startSwitchboard({ seed: officeConfig, clock: () => new Date('2026-11-23T16:00:00Z') });
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
    expect((await cli('routes', 'history', '-n', '1')).stdout).toMatch(
      /cli-test\s+apply 1 route.*\s[\w-]+#[0-9a-f]{12}\n/,
    );
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
    expect(result.stderr).toContain('refused: invalid request');
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
    expect(stdout).toContain(
      '+19863334949 at Mon 2026-11-23 10:00:00 GMT-06:00 (America/Chicago, schedule office)',
    );
    expect(stdout).toContain(
      'why: route main takes +19863334949; open plan: weekly hours mon,tue,wed,thu,fri 09:00-17:00',
    );
    expect(stdout).toContain('1. ring-group 100,101 for 20s');
    expect(stdout).toContain('4. voicemail 100');
    // 20 s ring group, then a hunt of two members for 10 s each.
    expect(stdout).toContain(
      'total ring time: up to 40s before voicemail answers (the Twilio edge waits 120s)',
    );
  });

  it('sets and lists extensions, removes a route and rolls back', async () => {
    expect((await cli('ext', 'set', '105', '--name', 'Lab', '--endpoint', '105', '105-soft')).code).toBe(0);
    expect((await cli('ext', 'list')).stdout).toMatch(/105\s+Lab\s+105,105-soft\s+-\s+-/);
    // Only an owned number can be an extension's caller ID.
    const notOwned = await cli('ext', 'set', '106', '--name', 'Lab', '--caller-id', '+15550001234');
    expect(notOwned.code).toBe(1);
    // Named by the flag the user typed, not the API field.
    expect(notOwned.stderr).toContain('--caller-id: must be one of outbound.ownedNumbers');
    expect((await cli('routes', 'rm', 'night-line')).stdout).toMatch(/delete route night-line/);
    expect((await cli('routes', 'rollback')).stdout).toMatch(/rollback to version/);
    expect(started.switchboard.routing.snapshot.routesById.has('night-line')).toBe(true);
  });

  it('tails the call log', async () => {
    const asterisk = await FakeAsterisk.start(started.agiPort, 'inbound?did=%2B19863334949&linkedid=77.1');
    await asterisk.serve();
    await started.switchboard.callLog.flush();
    const { stdout } = await cli('calls', 'tail', '-n', '5');
    expect(stdout).toMatch(/77\.1\s+\+19863334949\s+\+15551230001\s+main\s+in-progress\s+-\s+ongoing/);
    expect(stdout.split('\n')[0]).toMatch(/DURATION\s+REASON$/);
  });

  it("shows one call's timeline on the schedule clock, with duration and reason", async () => {
    const inbound = await FakeAsterisk.start(
      started.agiPort,
      'inbound?did=%2B19863334949&linkedid=78.1&callsid=CA0123456789abcdef0123456789abcdef',
    );
    await inbound.serve();
    const hangup = await FakeAsterisk.start(
      started.agiPort,
      'hangup?linkedid=78.1&action=dial&step=0&dialstatus=NOANSWER',
    );
    await hangup.serve();
    await started.switchboard.callLog.flush();
    const show = await cli('calls', 'show', '78.1');
    expect(show.code).toBe(0);
    expect(show.stdout).toContain('CallSid CA0123456789abcdef0123456789abcdef');
    expect(show.stdout).toMatch(/times in America\/Chicago \(the schedule zone\)/);
    expect(show.stdout).toMatch(/GMT-06:00 {2}step 1: ring-group 100,101 for 20s -> no-answer/);
    expect(show.stdout).toMatch(/GMT-06:00 {2}ended: abandoned/);
    const tail = await cli('calls', 'tail', '-n', '5');
    expect(tail.stdout).toMatch(/78\.1 .*abandoned\s+-\s+\d+s\s+ring-group 100,101 for 20s: no-answer/);
    expect((await cli('calls', 'show', 'nope')).code).toBe(1);

    const unknown = await FakeAsterisk.start(started.agiPort, 'inbound?did=%2B12125550000&linkedid=79.1');
    await unknown.serve();
    const refused = await FakeAsterisk.start(
      started.agiPort,
      'hangup?linkedid=79.1&action=hangup&reason=unknown-did',
    );
    await refused.serve();
    await started.switchboard.callLog.flush();
    expect((await cli('calls', 'tail', '-n', '5')).stdout).toMatch(
      /79\.1 .*rejected\s+-\s+\d+s\s+no route for \+12125550000/,
    );
  });

  it('says which setting to fix, with its own exit code, when the token or the API is wrong', async () => {
    const missing = await cliWith({ SWITCHBOARD_TOKEN: '' }, 'routes', 'list');
    expect(missing.code).toBe(4);
    expect(missing.stderr).toContain('set SWITCHBOARD_TOKEN (or pass --token)');
    const wrong = await cliWith({ SWITCHBOARD_TOKEN: `sb_${'x'.repeat(43)}` }, 'routes', 'list');
    expect(wrong.code).toBe(4);
    expect(wrong.stderr).toContain('did not accept the token: set SWITCHBOARD_TOKEN');
    // Port 9 (discard) on loopback: nothing listens there.
    const away = await cliWith({ SWITCHBOARD_URL: 'http://127.0.0.1:9' }, 'routes', 'list');
    expect(away.code).toBe(3);
    expect(away.stderr).toContain('cannot reach the admin API at http://127.0.0.1:9');
    expect(away.stderr).toContain('set SWITCHBOARD_URL or pass --url');
    const usage = await cli('routes', 'nope');
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("unknown command 'nope'");
  });

  it('rejects a number that is not one with the store message and exit 1', async () => {
    const result = await cli('explain', '--to', 'abc');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('--to: not a phone number: abc');
  });
});

describe('switchboard CLI: review, export, rollback, help', () => {
  it('routes export | routes apply --dry-run says "no changes"', async () => {
    const before = started.switchboard.routing.snapshot.version;
    const exported = await cli('routes', 'export');
    expect(exported.code).toBe(0);
    const dryRun = await cliWith({}, 'routes', 'apply', '--dry-run', { stdin: exported.stdout });
    expect(dryRun).toMatchObject({ code: 0 });
    expect(dryRun.stdout).toBe(`valid against version ${before}; nothing stored\nno changes\n`);
    expect(started.switchboard.routing.snapshot.version).toBe(before);
  });

  it('apply --dry-run shows field-level changes, or the issues with exit 1, and stores nothing', async () => {
    const before = started.switchboard.routing.snapshot.version;
    const file = join(dir, 'change.yaml');
    writeFileSync(file, 'extensions:\n  - { number: "100", name: Front desk, mailbox: "100" }\n');
    const changed = await cli('routes', 'apply', '--dry-run', file);
    expect(changed.stdout).toMatch(/extensions\.100\.name\s+changed\s+Reception\s+Front desk/);
    writeFileSync(
      file,
      'routes:\n  - { id: main, did: "12", plans: { open: [{ type: voicemail, mailbox: "100" }] } }\n',
    );
    const invalid = await cli('routes', 'apply', '--dry-run', file);
    expect(invalid.code).toBe(1);
    expect(invalid.stdout).toContain('routes.main.did: not a phone number: 12');
    expect(started.switchboard.routing.snapshot.version).toBe(before);
  });

  it('explains Christmas Day: the closure that decided and the local time', async () => {
    const { stdout, code } = await cli('explain', '--to', '+19863334949', '--at', '2026-12-25T10:00');
    expect(code).toBe(0);
    expect(stdout).toContain('at Fri 2026-12-25 10:00:00 GMT-06:00 (America/Chicago, schedule office)');
    expect(stdout).toContain('holiday plan: closure "Christmas" (2026-12-25) in schedule office');
  });

  it('rolls back to a named version', async () => {
    const result = await cli('routes', 'rollback', '--to', '1');
    expect(result.stdout).toMatch(/^version \d+: rollback to version 1$/m);
    expect((await cli('routes', 'diff', '--from', '1')).stdout).toContain('no changes');
    expect((await cli('routes', 'rollback', '--to', 'x')).code).toBe(2);
  });

  it('prints --version, and help for every command and option', async () => {
    expect((await cli('--version')).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const commands = allCommands(buildProgram());
    expect(commands.length).toBeGreaterThan(15);
    for (const command of commands) {
      const name = commandPath(command).join(' ') || 'switchboard';
      expect(command.description(), name).not.toBe('');
      for (const option of command.options)
        expect(option.description, `${name} ${option.flags}`).not.toBe('');
      for (const argument of command.registeredArguments)
        expect(argument.description, `${name} <${argument.name()}>`).not.toBe('');
      const help = helpOf(commandPath(command));
      expect(help, name).toContain('Usage: switchboard');
      // Help wraps long lines: compare with the whitespace folded.
      expect(help.replace(/\s+/g, ' '), name).toContain(command.description());
    }
    expect(helpOf([])).toContain('Exit codes:');
  });
});

function commandPath(command: Command): string[] {
  const names: string[] = [];
  for (let at: Command | null = command; at?.parent; at = at.parent) names.unshift(at.name());
  return names;
}

/** `switchboard PATH --help`, run in-process (one Node start per command would be slow). */
function helpOf(path: string[]): string {
  const program = buildProgram();
  let out = '';
  for (const command of allCommands(program)) command.configureOutput({ writeOut: (text) => (out += text) });
  try {
    program.parse([...path, '--help'], { from: 'user' });
  } catch (error) {
    if (!(error instanceof CommanderError) || error.exitCode !== 0) throw error;
  }
  return out;
}

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

  it('adds and removes trunks and policies, and names the flag the API refused', async () => {
    expect((await cli('outbound', 'trunk', 'set', 'west', '--endpoint', 'twilio-west')).stdout).toMatch(
      /^version \d+: put trunk west/,
    );
    expect((await cli('outbound', 'show')).stdout).toContain('west=twilio-west');
    const bad = await cli('outbound', 'trunk', 'set', 'west', '--endpoint', 'no spaces');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('--endpoint:');
    expect((await cli('outbound', 'policy', 'sales', '--allow', 'internal')).code).toBe(0);
    expect((await cli('outbound', 'policy-rm', 'sales')).stdout).toMatch(
      /^version \d+: delete outbound policy sales/,
    );
    expect((await cli('outbound', 'trunk', 'rm', 'west')).stdout).toMatch(/^version \d+: delete trunk west/);
    expect((await cli('outbound', 'show')).stdout).not.toContain('west=');
  });
});

describe('switchboard CLI: block', () => {
  it('adds, lists and removes blocked callers, and refuses a bad one by its argument', async () => {
    const added = await cli('block', 'add', '+1900*', '--route', 'main', '--action', 'voicemail:100');
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout).toMatch(/put blocklist entry \+1900\*/);
    expect((await cli('block', 'add', 'anonymous', '--note', 'no withheld numbers')).code).toBe(0);
    const listed = await cli('block', 'list');
    expect(listed.stdout).toContain('default action: busy');
    expect(listed.stdout).toMatch(/\+1900\*\s+main\s+voicemail 100\s+-/);
    expect(listed.stdout).toMatch(/anonymous\s+\*\s+\(default\)\s+no withheld numbers/);
    const unknownRoute = await cli('block', 'add', '+15550001234', '--route', 'nope');
    expect(unknownRoute.code).toBe(1);
    expect(unknownRoute.stderr).toContain('unknown route nope');
    expect((await cli('block', 'add', '+1555*', '--action', 'shout')).code).toBe(2);
    expect((await cli('block', 'rm', '+1900*')).stdout).toMatch(/delete blocklist entry \+1900\*/);
    expect(started.switchboard.routing.config.blocklist.entries.map((entry) => entry.caller)).toEqual([
      'anonymous',
    ]);
    // Seven CLI processes (node + tsx each): more than the default 15 s on a busy machine.
  }, 45_000);
});
