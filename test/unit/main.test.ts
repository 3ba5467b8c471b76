import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FakeAsterisk } from '../support/fake-asterisk.js';

// The entry point that `npm start` runs, with nothing configured but where the database goes:
// FastAGI on 127.0.0.1:4573 with the sample routes, admin API on 127.0.0.1:8080, token shown
// once, and on SIGTERM: drain, write the call log, exit 0.
function startMain(dbPath: string) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('SB_')));
  const child = spawn(process.execPath, ['--import', 'tsx', 'agi-server/src/main.ts'], {
    env: { ...env, SB_DB_PATH: dbPath },
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
      .poll(() => (output.exited ? `exited early: ${output.stderr}` : output.stdout), { timeout: 15_000 })
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
    const first = startMain(dbPath);
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
      expect(command).toMatch(/^EXEC MSet "SB_ACTION=(dial|voicemail),/);

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

    // Second start on the same store: no new token, same version, the old token still works.
    const second = startMain(dbPath);
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
  });

  it('refuses to start on a bad setting and names it', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'agi-server/src/main.ts'], {
      env: { ...process.env, SB_AGI_PORT: 'not-a-port' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const [code] = await once(child, 'exit');
    expect(code).toBe(1);
    expect(stderr).toMatch(/SB_AGI_PORT/);
  });
});
