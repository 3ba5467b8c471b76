import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { EXIT_CONFIG } from '../../agi-server/src/config.js';
import { SQLITE_MIGRATIONS } from '../../agi-server/src/store/sqlite-migrations.js';
import { openSqliteStore } from '../../agi-server/src/store/sqlite-store.js';
import { WEEKDAY_NOON_CHICAGO } from '../support/clock.js';
import { FakeAsterisk } from '../support/fake-asterisk.js';

/** An env file for the child: the developer's own .env must not leak into tests. */
function envFile(lines: string[] = []): string {
  const path = join(mkdtempSync(join(tmpdir(), 'sb-env-')), '.env');
  writeFileSync(path, lines.join('\n'));
  return path;
}

// The entry point that `npm start` runs (`--seed-sample`), with nothing configured but where the
// database goes: FastAGI on 127.0.0.1:4573 with the sample routes, admin API on 127.0.0.1:8080,
// token shown once, and on SIGTERM: drain, write the call log, exit 0.
// `at`: start it through test/support/server-at.ts, the same process on a clock set to that instant.
function startMain(
  dbPath: string,
  args: string[] = ['--seed-sample'],
  env: Record<string, string> = {},
  at?: string,
) {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('SB_')));
  const entry = at ? ['test/support/server-at.ts', at] : ['agi-server/src/main.ts'];
  const child = spawn(process.execPath, ['--import', 'tsx', ...entry, ...args], {
    env: { ...inherited, SB_ENV_FILE: envFile(), SB_DB_PATH: dbPath, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = { stdout: '', stderr: '', exited: false };
  child.stdout.on('data', (chunk: Buffer) => {
    output.stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    output.stderr += chunk.toString();
  });
  child.once('exit', () => {
    output.exited = true;
  });
  const ready = async () => {
    // If the server exits instead (e.g. a port is busy), the failure carries its own words.
    await expect
      .poll(() => (output.exited ? `exited early: ${output.stderr}` : output.stdout), { timeout: 45_000 })
      .toContain('admin API listening');
  };
  const stop = async () => {
    child.kill('SIGTERM');
    const [code] = await once(child, 'exit');
    return code as number;
  };
  return { child, output, ready, stop };
}

describe('switchboard entry point (npm start)', () => {
  it('starts with the sample routes on 127.0.0.1:4573, shows an admin token once, stops cleanly', async () => {
    const dbPath = join(mkdtempSync(join(tmpdir(), 'sb-main-')), 'switchboard.sqlite');
    // The sample routes' business hours (Chicago, weekdays 08:00-18:00): a weekday noon.
    const first = startMain(dbPath, ['--seed-sample'], {}, WEEKDAY_NOON_CHICAGO);
    let token = '';
    try {
      await first.ready();
      const listening = first.output.stdout
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .find((line) => line.msg === 'FastAGI server listening');
      expect(listening).toMatchObject({ host: '127.0.0.1', port: 4573, version: 1, routes: 1 });
      token = /sb_[A-Za-z0-9_-]{43}/.exec(first.output.stderr)?.[0] ?? '';
      expect(token).not.toBe('');
      expect(first.output.stdout).not.toContain(token);

      const asterisk = await FakeAsterisk.start(4573, 'inbound?did=%2B19863334949&linkedid=1.1');
      const [command] = await asterisk.serve();
      expect(command).toMatch(/^EXEC MSet "SB_ACTION=dial,.*SB_PLAN=open,/);

      const health = await fetch('http://127.0.0.1:8080/health');
      expect(await health.json()).toMatchObject({ status: 'ok', version: 1 });
      expect((await fetch('http://127.0.0.1:8080/routes')).status).toBe(401);
      const routes = await fetch('http://127.0.0.1:8080/routes', {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(await routes.json()).toMatchObject([{ id: 'main', did: '+19863334949' }]);
    } finally {
      expect(await first.stop()).toBe(0);
    }
    expect(first.output.stdout).toContain('"msg":"stopped"');

    // Second start on the same store, without the seed request (as the systemd unit runs it):
    // no new token, same version, the old token still works.
    const second = startMain(dbPath, []);
    try {
      await second.ready();
      expect(second.output.stderr).not.toContain('sb_');
      const routes = await fetch('http://127.0.0.1:8080/routes', {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(routes.status).toBe(200);
    } finally {
      expect(await second.stop()).toBe(0);
    }
    // Two cold starts through tsx: on a loaded 2-core machine each can take several seconds.
  }, 120_000);

  it('refuses to start on a bad setting and names it', async () => {
    const main = startMain(join(mkdtempSync(join(tmpdir(), 'sb-main-')), 'x.sqlite'), ['--seed-sample'], {
      SB_AGI_PORT: 'not-a-port',
    });
    const [code] = await once(main.child, 'exit');
    expect(code).toBe(EXIT_CONFIG);
    expect(main.output.stderr).toMatch(/SB_AGI_PORT/);
  });

  it('refuses a store a newer server migrated: one line naming both schema versions, exit 78', async () => {
    const dbPath = join(mkdtempSync(join(tmpdir(), 'sb-main-')), 'x.sqlite');
    await openSqliteStore(dbPath).close();
    const db = new Database(dbPath);
    db.pragma(`user_version = ${SQLITE_MIGRATIONS.length + 1}`);
    db.close();
    const main = startMain(dbPath, ['--seed-sample']);
    const [code] = await once(main.child, 'exit');
    expect(code).toBe(EXIT_CONFIG);
    expect(main.output.stderr.trim()).toBe(
      `switchboard: the SQLite store's schema is version ${SQLITE_MIGRATIONS.length + 1}, but this server knows versions up to ${SQLITE_MIGRATIONS.length}: ` +
        'a newer Switchboard migrated it; run that version (or restore the backup taken before the upgrade)',
    );
  });

  it('reads its env file; variables already in the environment win', async () => {
    const file = envFile(['# a comment', 'SB_AGI_PORT=not-from-the-file', 'SB_API_PORT=not-a-port-either']);
    const main = startMain(join(mkdtempSync(join(tmpdir(), 'sb-main-')), 'x.sqlite'), ['--seed-sample'], {
      SB_ENV_FILE: file,
      SB_AGI_PORT: '4573',
    });
    const [code] = await once(main.child, 'exit');
    expect(code).toBe(EXIT_CONFIG);
    // SB_API_PORT came from the file; SB_AGI_PORT from the environment (valid), not the file.
    expect(main.output.stderr.trim()).toBe(
      'switchboard: invalid environment: SB_API_PORT: Invalid input: expected number, received NaN',
    );
  });

  it('refuses placeholders copied from .env.example', async () => {
    const main = startMain(join(mkdtempSync(join(tmpdir(), 'sb-main-')), 'x.sqlite'), ['--seed-sample'], {
      SB_HEADER_SECRET: 'replace-with-32-or-more-random-characters',
    });
    const [code] = await once(main.child, 'exit');
    expect(code).toBe(EXIT_CONFIG);
    expect(main.output.stderr).toContain('SB_HEADER_SECRET: still the example placeholder');
  });

  it.each([
    ['a new store path', (dbPath: string) => dbPath],
    [
      'an existing but empty store',
      (dbPath: string) => {
        void openSqliteStore(dbPath).close();
        return dbPath;
      },
    ],
  ])(
    'exits non-zero on %s without a seed request, naming the path and how to initialise it',
    async (_, make) => {
      const dbPath = make(join(mkdtempSync(join(tmpdir(), 'sb-main-')), 'new.sqlite'));
      const existed = existsSync(dbPath);
      const main = startMain(dbPath, []);
      const [code] = await once(main.child, 'exit');
      expect(code).toBe(EXIT_CONFIG);
      const lines = main.output.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(`route store ${dbPath} ${existed ? 'is empty' : 'does not exist'}`);
      expect(lines[0]).toContain('--seed FILE (or --seed-sample');
      expect(main.output.stdout).not.toContain('listening');
      // Nothing was created for a path nobody initialised.
      expect(existsSync(dbPath)).toBe(existed);
    },
  );

  it('--init seeds a new store, registers the token, prints it once and exits 0; then it starts', async () => {
    const dbPath = join(mkdtempSync(join(tmpdir(), 'sb-main-')), 'init.sqlite');
    const init = startMain(dbPath, ['--init', '--seed-sample']);
    const [code] = await once(init.child, 'exit');
    expect(code).toBe(0);
    expect(init.output.stdout).toContain(`route store ${dbPath} holds version 1`);
    expect(init.output.stderr).toMatch(/Admin API token \(shown once[\s\S]*sb_[A-Za-z0-9_-]{43}/);
    expect(init.output.stdout).not.toContain('listening');
    // Again: nothing replaced, no new token.
    const again = startMain(dbPath, ['--init', '--seed-sample']);
    expect((await once(again.child, 'exit'))[0]).toBe(0);
    expect(again.output.stdout).toContain('holds version 1');
    expect(again.output.stderr).not.toContain('Admin API token');
  }, 60_000);

  it('--help prints the usage and exits 0', async () => {
    const main = startMain('unused.sqlite', ['--help']);
    const [code] = await once(main.child, 'exit');
    expect(code).toBe(0);
    expect(main.output.stdout).toContain('--seed FILE');
  });
});
