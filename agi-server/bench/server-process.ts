import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { freePort } from './free-port.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface LogLine {
  readonly time: number;
  readonly msg: string;
  readonly [key: string]: unknown;
}

/**
 * A real `switchboard-agi` process (agi-server/src/main.ts through tsx), configured by its
 * environment exactly as in production; its JSON log lines are kept for the test to read.
 */
export class ServerProcess {
  readonly logs: LogLine[] = [];
  private readonly waiters: Array<{ test: (line: LogLine) => boolean; resolve: (line: LogLine) => void }> =
    [];
  readonly exited: Promise<unknown>;

  private constructor(
    readonly child: ChildProcess,
    readonly agiPort: number,
    readonly apiPort: number,
    readonly token: string,
  ) {
    this.exited = once(child, 'exit');
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (text) => {
      let line: LogLine;
      try {
        line = JSON.parse(text) as LogLine;
      } catch {
        return;
      }
      this.logs.push(line);
      for (const waiter of [...this.waiters])
        if (waiter.test(line)) {
          this.waiters.splice(this.waiters.indexOf(waiter), 1);
          waiter.resolve(line);
        }
    });
  }

  static async start(
    env: Record<string, string>,
    token: string,
    options: { agi?: number; seed?: string } = {},
  ): Promise<ServerProcess> {
    const [agiPort, apiPort] = [options.agi ?? (await freePort()), await freePort()];
    const child = spawn(
      process.execPath,
      [
        '--conditions=switchboard-source',
        '--import',
        'tsx',
        'agi-server/src/main.ts',
        // Routing for a first run only: a store that holds routing already keeps it.
        ...(options.seed ? ['--seed', options.seed] : []),
      ],
      {
        cwd: ROOT,
        env: {
          PATH: process.env.PATH ?? '',
          // Loader options the test runner set (e.g. resolve conditions) apply to the server too.
          ...(process.env.NODE_OPTIONS ? { NODE_OPTIONS: process.env.NODE_OPTIONS } : {}),
          SB_AGI_PORT: String(agiPort),
          SB_API_PORT: String(apiPort),
          SB_ADMIN_TOKEN: token,
          SB_LOG_LEVEL: 'info',
          ...env,
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    const server = new ServerProcess(child, agiPort, apiPort, token);
    await Promise.race([
      server.waitForLog((line) => line.msg === 'admin API listening', 30_000),
      server.exited.then(() => {
        throw new Error('server process exited during start-up');
      }),
    ]);
    return server;
  }

  get apiUrl(): string {
    return `http://127.0.0.1:${this.apiPort}`;
  }

  /** The first log line (already seen or still to come) that passes `test`. */
  waitForLog(test: (line: LogLine) => boolean, timeoutMs = 10_000): Promise<LogLine> {
    const seen = this.logs.find(test);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no matching log line within ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.waiters.push({
        test,
        resolve: (line) => {
          clearTimeout(timer);
          resolve(line);
        },
      });
    });
  }

  async api(method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
    const response = await fetch(`${this.apiUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    let json: unknown = text;
    try {
      json = JSON.parse(text);
    } catch {
      // not JSON
    }
    return { status: response.status, json };
  }

  /** SIGTERM (drains) or SIGKILL (a crash: nothing is cleaned up). */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill(signal);
    await this.exited;
  }
}
