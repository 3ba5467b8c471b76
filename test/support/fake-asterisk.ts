import { connect, type Socket } from 'node:net';

/**
 * Plays Asterisk's side of a FastAGI session as real Asterisk 22.10 does (see docs/fastagi.md): the env
 * block in Asterisk's order, LF only, then one reply per command line received. Test-only.
 */

export function agiEnvBlock(
  script: string,
  overrides: Record<string, string> = {},
  args: string[] = [],
): string {
  const env: Record<string, string> = {
    agi_network: 'yes',
    agi_network_script: script,
    agi_request: `agi://127.0.0.1:4573/${script}`,
    agi_channel: 'PJSIP/twilio-00000001',
    agi_language: 'en',
    agi_type: 'PJSIP',
    agi_uniqueid: '1763900000.1',
    agi_version: '22.10.1',
    agi_callerid: '+15551230001',
    agi_calleridname: 'unknown',
    agi_callingpres: '0',
    agi_callingani2: '0',
    agi_callington: '0',
    agi_callingtns: '0',
    agi_dnid: '+19863334949',
    agi_rdnis: 'unknown',
    agi_context: 'from-twilio',
    agi_extension: '+19863334949',
    agi_priority: '3',
    agi_enhanced: '0.0',
    agi_accountcode: '',
    agi_threadid: '139872360756928',
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

  /** Answers every command with `reply(command)` until the server closes; returns the commands. */
  async serve(reply: (command: string) => string = () => '200 result=0'): Promise<string[]> {
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
