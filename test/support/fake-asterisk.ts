import { connect, type Socket } from 'node:net';
import { loadAsteriskWire } from './asterisk-wire.js';

/**
 * Plays Asterisk's side of a FastAGI session as real Asterisk 22 does, replaying what the lab
 * recorded from it (test/support/asterisk-22-wire.json, kept true by test/lab/asterisk-wire.test.ts;
 * see docs/fastagi.md): the env block with Asterisk's keys, order and values (LF only), and for
 * each command line the reply Asterisk gave to that kind of command. Test-only.
 */

const wire = loadAsteriskWire();
const inboundSession = wire.sessions.find((session) => session.script === 'inbound');
if (!inboundSession) throw new Error('asterisk-22-wire.json has no inbound session');

/** The recorded session for a script: the hangup handler's own (a Local channel), else inbound's. */
function recordedEnv(script: string): ReadonlyArray<readonly [string, string]> {
  const name = script.split('?')[0];
  return (wire.sessions.find((session) => session.script === name) ?? inboundSession)?.env ?? [];
}

/** Asterisk's recorded reply to a command of this kind (EXEC, SET VARIABLE); 510 for any other. */
export function recordedReply(command: string): string {
  const verb = (line: string) => (/^(SET|GET) VARIABLE\b/.exec(line)?.[0] ?? line.split(' ')[0]) as string;
  const unknown = inboundSession?.replies.find((probe) => probe.reply[0]?.startsWith('510'));
  const known = inboundSession?.replies.find(
    (probe) =>
      verb(probe.command) === verb(command) &&
      probe.reply[0]?.startsWith('200') &&
      verb(command) !== 'GET VARIABLE',
  );
  return ((known ?? unknown)?.reply ?? ['510 Invalid or unknown command']).join('\n');
}

export function agiEnvBlock(
  script: string,
  overrides: Record<string, string> = {},
  args: string[] = [],
): string {
  const env: Record<string, string> = {
    ...Object.fromEntries(recordedEnv(script)),
    agi_network_script: script,
    agi_request: `agi://127.0.0.1:4573/${script}`,
    // A fixed id, as tests name calls by it; the recorded one is that lab call's.
    agi_uniqueid: '1763900000.1',
    ...overrides,
  };
  args.forEach((value, index) => {
    env[`agi_arg_${index + 1}`] = value;
  });
  return `${Object.entries(env)
    .map(([key, value]) => `${key}: ${value}`)
    .join('\n')}\n\n`;
}

export class FakeAsterisk {
  private buffer = '';
  private readonly lines: string[] = [];
  private waiters: Array<(line: string | undefined) => void> = [];
  private ended = false;
  readonly closed: Promise<void>;

  private constructor(readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      this.buffer += chunk;
      for (let newline = this.buffer.indexOf('\n'); newline !== -1; newline = this.buffer.indexOf('\n')) {
        this.deliver(this.buffer.slice(0, newline));
        this.buffer = this.buffer.slice(newline + 1);
      }
    });
    socket.on('error', () => undefined);
    this.closed = new Promise((resolve) =>
      socket.once('close', () => {
        this.ended = true;
        for (const waiter of this.waiters.splice(0)) waiter(undefined);
        resolve();
      }),
    );
  }

  static async open(port: number): Promise<FakeAsterisk> {
    const socket = connect({ host: '127.0.0.1', port });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    return new FakeAsterisk(socket);
  }

  /** Connects and sends the env block for `script`. */
  static async start(
    port: number,
    script: string,
    overrides: Record<string, string> = {},
    args: string[] = [],
  ) {
    const asterisk = await FakeAsterisk.open(port);
    asterisk.send(agiEnvBlock(script, overrides, args));
    return asterisk;
  }

  private deliver(line: string): void {
    const waiter = this.waiters.shift();
    if (waiter) waiter(line);
    else this.lines.push(line);
  }

  send(text: string): void {
    this.socket.write(text);
  }

  /** The next command line the server sent, or undefined when the connection closed first. */
  nextCommand(): Promise<string | undefined> {
    const line = this.lines.shift();
    if (line !== undefined) return Promise.resolve(line);
    if (this.ended) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /**
   * Answers every command with `reply(command)` (default: what Asterisk 22 answered to that kind
   * of command in the lab) until the server closes; returns the commands.
   */
  async serve(reply: (command: string) => string = recordedReply): Promise<string[]> {
    const commands: string[] = [];
    for (let command = await this.nextCommand(); command !== undefined; command = await this.nextCommand()) {
      commands.push(command);
      if (!this.socket.destroyed) this.send(`${reply(command)}\n`);
    }
    return commands;
  }

  close(): void {
    this.socket.end();
  }
}
