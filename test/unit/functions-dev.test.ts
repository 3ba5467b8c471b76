import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../agi-server/bench/free-port.js';
import { sign, TEST_ACCOUNT_SID, TEST_AUTH_TOKEN, voiceWebhookParams } from '../support/twilio-signing.js';

// `npm run functions:dev` as a new user runs it: a fresh clone of the committed repository, the
// Functions' env copied from functions/.env.example with the four values it names filled in, a
// port of one's choosing. The clone borrows this checkout's node_modules (the install is not what
// is under test, and a real one takes minutes); everything else is the clone's own: package.json
// scripts, .twilioserverlessrc, functions/build.ts, functions/.env.
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

const clone = join(mkdtempSync(join(tmpdir(), 'sb-clone-')), 'switchboard');
let dev: ChildProcess | undefined;

afterAll(async () => {
  if (dev?.pid && dev.exitCode === null) {
    const exited = new Promise((resolve) => dev?.once('exit', resolve));
    // npm -> sh -> twilio-run: the whole process group.
    process.kill(-dev.pid, 'SIGTERM');
    await exited;
  }
  rmSync(clone, { recursive: true, force: true });
});

describe('npm run functions:dev in a fresh clone', () => {
  it('serves the Functions with functions/.env on the chosen port and answers a signed webhook with <Dial><Sip>', async () => {
    execFileSync('git', ['clone', '--quiet', ROOT, clone]);
    symlinkSync(join(ROOT, 'node_modules'), join(clone, 'node_modules'));
    writeFileSync(
      join(clone, 'functions/.env'),
      readFileSync(join(clone, 'functions/.env.example'), 'utf8')
        .replace(/^ACCOUNT_SID=.*$/m, `ACCOUNT_SID=${TEST_ACCOUNT_SID}`)
        .replace(/^AUTH_TOKEN=.*$/m, `AUTH_TOKEN=${TEST_AUTH_TOKEN}`)
        .replace(/^SB_HEADER_SECRET=.*$/m, 'SB_HEADER_SECRET=k9W2x7Qp4Lm8Zr1Tv6Ys3Bn5Hc0Jd2Fg')
        .replace(/^PBX_HOST=.*$/m, 'PBX_HOST=pbx.acme.test:5060'),
    );
    const port = await freePort();
    let output = '';
    dev = spawn('npm', ['run', 'functions:dev', '--', '--port', String(port)], {
      cwd: clone,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, FORCE_COLOR: '0' },
    });
    dev.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    dev.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    await expect
      .poll(() => (dev?.exitCode !== null ? `exited: ${output}` : output), { timeout: 60_000, interval: 250 })
      .toContain(`localhost:${port}/inbound-call`);
    expect(output).not.toMatch(/Failed to find .env file/);

    const params = voiceWebhookParams();
    const response = await fetch(`http://localhost:${port}/inbound-call`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        // twilio-run's DOMAIN_NAME is localhost:PORT; Twilio signs the public https URL.
        'x-twilio-signature': sign(`https://localhost:${port}/inbound-call`, params),
      },
      body: new URLSearchParams(params),
    });
    const body = await response.text();
    expect(response.status, output).toBe(200);
    expect(body).toMatch(
      /^<\?xml version="1.0" encoding="UTF-8"\?><Response><Dial answerOnBridge="true" action="\/dial-status" method="POST" timeout="120"><Sip>sip:\+19863334949@pbx\.acme\.test:5060;transport=udp\?X-SB-Did=%2B19863334949&amp;X-SB-Caller=%2B15551230001&amp;X-SB-Ts=\d+&amp;X-SB-Nonce=[A-Za-z0-9_-]{22}&amp;X-SB-Sig=[A-Za-z0-9_-]{43}<\/Sip><\/Dial><\/Response>$/,
    );
  }, 90_000);
});
