import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../agi-server/bench/free-port.js';

// The README's first commands, as written: `npm start` (after `npm install`, which builds the CLI
// and links its bin in its prepare step), then `npx switchboard routes list` with the token the
// server printed. Only the ports and the store's path are chosen (free ones, a temporary file), so
// the test runs beside others; everything else is the README's own command line.

const run = promisify(execFile);
const BIN = join('node_modules', '.bin', 'switchboard');

/** The command lines of the README's first ```sh block and of its "Everyday use" block. */
function readmeCommands(): { first: string[]; everyday: string[] } {
  const readme = readFileSync('README.md', 'utf8');
  const blocks = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((match) =>
    (match[1] ?? '')
      .split('\n')
      .map((line) => line.replace(/\s+#.*$/, '').trim())
      .filter(Boolean),
  );
  const everyday = readme.slice(readme.indexOf('## Everyday use'));
  const everydayBlock = /```sh\n([\s\S]*?)```/.exec(everyday)?.[1] ?? '';
  return {
    first: blocks[0] ?? [],
    everyday: everydayBlock
      .split('\n')
      .map((line) => line.replace(/\s+#.*$/, '').trim())
      .filter(Boolean),
  };
}

let server: ChildProcess | undefined;
afterAll(() => {
  // npm start runs sh and node under it: stop the whole group it leads.
  try {
    if (server?.pid) process.kill(-server.pid, 'SIGTERM');
  } catch {
    // already stopped
  }
});

describe("the README's first commands, as written", () => {
  it('npm start listens, then npx switchboard routes list prints the sample route', async () => {
    const { first, everyday } = readmeCommands();
    expect(first[0]).toBe('npm install && npm start');
    expect(everyday).toContain('npx switchboard routes list');
    // `npm install` is not rerun here (CI has just run it); what it must leave behind is checked.
    expect(existsSync(BIN), `${BIN} is missing: npm install builds the CLI and links it`).toBe(true);

    const dir = mkdtempSync(join(tmpdir(), 'sb-readme-'));
    const envFile = join(dir, '.env');
    writeFileSync(envFile, '');
    const [agiPort, apiPort] = [await freePort(), await freePort()];
    const inherited = Object.fromEntries(
      Object.entries(process.env).filter(([key]) => !key.startsWith('SB_')),
    );
    // As a user's shell has it: vitest's source condition is the tests' business, not npm start's.
    delete inherited.NODE_OPTIONS;
    const env = {
      ...inherited,
      SB_ENV_FILE: envFile,
      SB_DB_PATH: join(dir, 'switchboard.sqlite'),
      SB_AGI_PORT: String(agiPort),
      SB_API_PORT: String(apiPort),
    };
    const started = Date.now();
    server = spawn('sh', ['-c', 'npm start'], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const output = { stdout: '', stderr: '' };
    server.stdout?.on('data', (chunk: Buffer) => {
      output.stdout += chunk.toString();
    });
    server.stderr?.on('data', (chunk: Buffer) => {
      output.stderr += chunk.toString();
    });
    await expect
      .poll(() => output.stdout, { timeout: 60_000, interval: 50 })
      .toContain('admin API listening');
    const listeningMs = Date.now() - started;
    expect(output.stderr).not.toMatch(/Deprecation|DeprecationWarning/);
    const token = /sb_[A-Za-z0-9_-]{43}/.exec(output.stderr)?.[0];
    expect(token, output.stderr).toBeDefined();

    const [command, ...args] = 'npx switchboard routes list'.split(' ') as [string, ...string[]];
    const list = await run(command, args, {
      env: { ...inherited, SWITCHBOARD_TOKEN: token, SWITCHBOARD_URL: `http://127.0.0.1:${apiPort}` },
    });
    expect(list.stdout).toMatch(/^main\s+\+19863334949\s/m);
    console.info(`README commands: npm start listening after ${listeningMs} ms (no rebuild needed)`);
  }, 90_000);
});
