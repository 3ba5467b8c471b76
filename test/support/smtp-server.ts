import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type ParsedMail, simpleParser } from 'mailparser';

/**
 * A real SMTP server process on loopback for tests (smtp-server-process.ts), with a certificate
 * made by openssl at run time for STARTTLS and one login. Start, stop (to play an outage) and
 * start again on the same port; the mail it accepted stays in its folder across restarts.
 */

const run = promisify(execFile);
const HERE = fileURLToPath(new URL('.', import.meta.url));
const ROOT = join(HERE, '..', '..');

export interface TestSmtpServer {
  readonly host: string;
  readonly port: number;
  /** smtp://user:password@host:port: what SB_SMTP_URL gets. */
  readonly url: string;
  /** The certificate to trust (SB_SMTP_CA_FILE). */
  readonly caFile: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Every message accepted so far, parsed (mailparser), in the order accepted. */
  messages(): Promise<ParsedMail[]>;
  count(): number;
}

export async function createTestSmtpServer(host: string, port: number): Promise<TestSmtpServer> {
  const dir = mkdtempSync(join(tmpdir(), 'sb-smtp-'));
  const mail = join(dir, 'mail');
  mkdirSync(mail);
  const key = join(dir, 'key.pem');
  const cert = join(dir, 'cert.pem');
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    key,
    '-out',
    cert,
    '-days',
    '1',
    '-subj',
    `/CN=${host}`,
    '-addext',
    `subjectAltName=IP:${host}`,
  ]);
  const user = 'switchboard';
  const password = `pw-${Math.random().toString(36).slice(2)}`;
  let child: ChildProcess | undefined;
  // Named <ms>-<pid>-<n>.eml by the server: in the order accepted, across restarts.
  const emls = () =>
    readdirSync(mail)
      .filter((name) => name.endsWith('.eml'))
      .sort();
  return {
    host,
    port,
    url: `smtp://${user}:${password}@${host}:${port}`,
    caFile: cert,
    async start() {
      const started = spawn(process.execPath, ['--import', 'tsx', join(HERE, 'smtp-server-process.ts')], {
        cwd: ROOT,
        env: {
          ...process.env,
          SMTP_HOST: host,
          SMTP_PORT: String(port),
          SMTP_DIR: mail,
          SMTP_KEY: key,
          SMTP_CERT: cert,
          SMTP_USER: user,
          SMTP_PASSWORD: password,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child = started;
      let stderr = '';
      started.stderr?.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`SMTP server did not start: ${stderr}`)), 20_000);
        started.stdout?.on('data', (chunk: Buffer) => {
          if (chunk.toString().includes('listening')) {
            clearTimeout(timer);
            resolve();
          }
        });
        started.once('exit', (code) => {
          clearTimeout(timer);
          reject(new Error(`SMTP server exited (${code}): ${stderr}`));
        });
      });
    },
    async stop() {
      const running = child;
      child = undefined;
      if (!running || running.exitCode !== null) return;
      const exited = new Promise((resolve) => running.once('exit', resolve));
      running.kill('SIGTERM');
      const timer = setTimeout(() => running.kill('SIGKILL'), 3_000);
      await exited;
      clearTimeout(timer);
    },
    async messages() {
      return Promise.all(emls().map((name) => simpleParser(readFileSync(join(mail, name)))));
    },
    count: () => emls().length,
  };
}
