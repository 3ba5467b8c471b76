import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * The real entry point (agi-server/src/main.ts) in a process of its own, so that a test can stop
 * it (SIGSTOP), resume it (SIGCONT) or kill it (SIGKILL) as a bad day in production would. Its
 * JSON log lines are kept for the test to read.
 */

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function inherited(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(process.env).filter(
      (entry): entry is [string, string] => !entry[0].startsWith('SB_') && entry[1] !== undefined,
    ),
  );
}

export class SwitchboardProcess {
  readonly lines: Array<Record<string, unknown>> = [];
  private readonly child: ChildProcess;
  private readonly exited: Promise<number | null>;
  private stderr = '';

  /** `seedFile`: the routing an empty store starts with. */
  constructor(env: Readonly<Record<string, string>>, seedFile: string) {
    // tsx as an in-process loader (not the tsx CLI, which runs the server in a grandchild): the
    // PID we signal is the server's own.
    const args = ['--import', 'tsx', 'agi-server/src/main.ts', '--seed', seedFile];
    this.child = spawn(process.execPath, args, {
      cwd: ROOT,
      // The test's environment (NODE_OPTIONS carries vitest's source condition) without its SB_*.
      env: { ...inherited(), SB_LOG_LEVEL: 'info', SB_SAMPLE_FILE: seedFile, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let partial = '';
    this.child.stdout?.on('data', (chunk: Buffer) => {
      const text = partial + chunk.toString();
      const parts = text.split('\n');
      partial = parts.pop() ?? '';
      for (const line of parts) {
        try {
          this.lines.push(JSON.parse(line) as Record<string, unknown>);
        } catch {
          this.lines.push({ raw: line });
        }
      }
    });
    this.child.stderr?.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-10_000);
    });
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
  }

  get pid(): number {
    if (this.child.pid === undefined) throw new Error('switchboard process did not start');
    return this.child.pid;
  }

  /** Resolves once the FastAGI server listens. */
  async ready(timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.lines.some((line) => line.msg === 'FastAGI server listening')) return;
      if (this.child.exitCode !== null) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`switchboard did not start: ${this.stderr}`);
  }

  events(event: string): Array<Record<string, unknown>> {
    return this.lines.filter((line) => line.event === event);
  }

  signal(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  /** SIGTERM (a graceful drain) and wait; SIGKILL if it does not stop. */
  async stop(): Promise<number | null> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return this.child.exitCode;
    this.child.kill('SIGCONT');
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    const code = await this.exited;
    clearTimeout(timer);
    return code;
  }

  kill(): Promise<number | null> {
    this.child.kill('SIGKILL');
    return this.exited;
  }
}
