import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { freePort } from '../../agi-server/bench/free-port.js';
import { sign } from './twilio-signing.js';

/**
 * Real twilio-run serving the built Functions from the repository root, as `npm run
 * functions:dev` does: it reads the root .twilioserverlessrc (functionsFolder functions/dist);
 * only the env file is the test's own.
 */

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);
let built: Promise<unknown> | undefined;

export function buildFunctions(): Promise<unknown> {
  built ??= run(
    process.execPath,
    ['--conditions=switchboard-source', '--import', 'tsx', join(ROOT, 'functions/build.ts')],
    { cwd: ROOT },
  );
  return built;
}

export interface TwilioRun {
  /** Where to send requests. */
  readonly url: string;
  /** The URL Twilio would sign: the runtime's https://DOMAIN_NAME. */
  readonly publicUrl: string;
  readonly output: () => string;
  /** POSTs form fields signed as Twilio signs them; returns status and body. */
  post(
    path: string,
    params: Record<string, string>,
    options?: { signature?: string | null },
  ): Promise<{ status: number; body: string; contentType: string }>;
  stop(): Promise<void>;
}

export async function startTwilioRun(env: Record<string, string>): Promise<TwilioRun> {
  await buildFunctions();
  const port = await freePort();
  const envFile = join(mkdtempSync(join(tmpdir(), 'sb-twilio-run-')), '.env');
  writeFileSync(
    envFile,
    Object.entries(env)
      .map(([key, value]) => `${key}=${value}`)
      .join('\n'),
  );
  const child: ChildProcess = spawn(
    process.execPath,
    [
      join(ROOT, 'node_modules/twilio-run/bin/twilio-run.js'),
      'start',
      // twilio-run resolves --env against its working directory (the root); absolute wins.
      '--env',
      envFile,
      '--port',
      String(port),
      '--no-fork-process',
      '--no-live',
    ],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FORCE_COLOR: '0' } },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const deadline = Date.now() + 30_000;
  while (!output.includes(`localhost:${port}/inbound-call`)) {
    if (child.exitCode !== null || Date.now() > deadline)
      throw new Error(`twilio-run did not start:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const url = `http://localhost:${port}`;
  const publicUrl = `https://localhost:${port}`;
  return {
    url,
    publicUrl,
    output: () => output,
    async post(path, params, options = {}) {
      const signature =
        options.signature === undefined ? sign(`${publicUrl}${path}`, params) : options.signature;
      const response = await fetch(`${url}${path}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          ...(signature ? { 'x-twilio-signature': signature } : {}),
        },
        body: new URLSearchParams(params),
      });
      return {
        status: response.status,
        body: await response.text(),
        contentType: response.headers.get('content-type') ?? '',
      };
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
