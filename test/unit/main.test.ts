import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { FakeAsterisk } from '../support/fake-asterisk.js';

// The entry point that `npm start` runs, with no configuration at all: it must listen on
// 127.0.0.1:4573 with the sample route, and drain and exit 0 on SIGTERM.
describe('switchboard-agi entry point', () => {
  it('starts on 127.0.0.1:4573 with the sample route and stops cleanly on SIGTERM', async () => {
    const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('SB_')));
    const child = spawn(process.execPath, ['--import', 'tsx', 'agi-server/src/main.ts'], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    let exitedEarly = false;
    child.once('exit', () => {
      exitedEarly = true;
    });
    try {
      // If the server exits instead (e.g. port 4573 busy), the failure carries its own words.
      await expect
        .poll(() => (exitedEarly ? `exited early: ${output}` : output), { timeout: 10_000 })
        .toContain('FastAGI server listening');
      expect(JSON.parse(output.split('\n')[0] ?? '{}')).toMatchObject({
        host: '127.0.0.1',
        port: 4573,
        routes: 1,
      });

      const asterisk = await FakeAsterisk.start(4573, 'inbound?did=%2B19863334949');
      expect(await asterisk.serve()).toEqual(['EXEC MSet "SB_ACTION=dial,SB_DIAL=PJSIP/100,SB_TIMEOUT=30"']);
    } finally {
      child.kill('SIGTERM');
    }
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
    expect(output).toContain('"msg":"stopped"');
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
