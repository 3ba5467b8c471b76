import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import type { AgiEnvironment } from './env.js';
import {
  AgiApplicationNotFoundError,
  AgiCommandError,
  AgiConnectionClosedError,
  AgiDeadChannelError,
  type AgiError,
  AgiInvalidCommandError,
  AgiProtocolError,
  AgiTimeoutError,
  AgiUsageError,
} from './errors.js';
import {
  type AgiErrorReply,
  type AgiReply,
  type AgiSuccessReply,
  isSuccess,
  ReplyAccumulator,
} from './reply.js';
import {
  assertApplicationName,
  assertVariableName,
  assertVariableOrFunction,
  assertWireSafe,
  msetData,
  quoteArgument,
  quoteWireSafe,
} from './wire.js';

/** MSet takes at most 99 name=value pairs (pbx_variables.c). */
const MSET_MAX_PAIRS = 99;

interface QueuedCommand {
  readonly command: string;
  /** The session's last command: written together with our end of the connection (FIN). */
  readonly last?: boolean;
  readonly resolve: (reply: AgiSuccessReply) => void;
  readonly reject: (error: Error) => void;
}

interface PendingCommand extends QueuedCommand {
  readonly timer: NodeJS.Timeout;
}

export interface AgiSessionEvents {
  /** The caller hung up. Commands still answer (GET/SET VARIABLE, EXEC…); others answer 511. */
  hangup: [];
  close: [];
}

/**
 * One FastAGI session: typed, promise-based commands over the socket, one at a time as AGI
 * requires. `HANGUP` lines are events, never replies. A command that gets no reply within
 * `commandTimeoutMs` fails the whole session, because a late reply would be taken as the answer to
 * the next command.
 */
export class AgiSession extends EventEmitter<AgiSessionEvents> {
  private readonly replies = new ReplyAccumulator();
  private pending: PendingCommand | undefined;
  /** Commands waiting for the one in flight to be answered (AGI allows one at a time). */
  private readonly waiting: QueuedCommand[] = [];
  private hangupSeen = false;
  /** Our end of the connection was sent with a last command: nothing more may be written. */
  private ending = false;
  private closedWith: (() => AgiError) | undefined;

  constructor(
    readonly env: AgiEnvironment,
    private readonly socket: Socket,
    private readonly commandTimeoutMs: number,
  ) {
    super();
    // Errors are built only when something will receive them: most sessions end without one, and
    // an Error with its stack trace per session was a measurable share of the server's CPU.
    socket.once('close', () => this.fail(() => new AgiConnectionClosedError('AGI connection closed')));
  }

  /** True once Asterisk has sent HANGUP: the channel is dead or going away. */
  get hungUp(): boolean {
    return this.hangupSeen;
  }

  get closed(): boolean {
    return this.closedWith !== undefined;
  }

  /** Feeds one line received after the environment block. */
  handleLine(line: string): void {
    if (this.closedWith) return;
    if (line === 'HANGUP' && !this.replies.inProgress) {
      if (!this.hangupSeen) {
        this.hangupSeen = true;
        this.emit('hangup');
      }
      return;
    }
    const pending = this.pending;
    if (!pending) {
      // Nothing asked: a stray line cannot be matched to any command; ignore it.
      return;
    }
    let reply: AgiReply | undefined;
    try {
      reply = this.replies.push(line);
    } catch (error) {
      this.abort(error instanceof AgiProtocolError ? error : new AgiProtocolError(String(error)));
      return;
    }
    if (!reply) return;
    this.pending = undefined;
    clearTimeout(pending.timer);
    if (isSuccess(reply)) pending.resolve(reply);
    else pending.reject(toCommandError(pending.command, reply as AgiErrorReply));
    const next = this.waiting.shift();
    if (next) this.start(next);
  }

  /** Sends a raw command line and resolves with its 200 reply; other codes reject typed. */
  send(command: string): Promise<AgiSuccessReply> {
    assertWireSafe(command, 'AGI command');
    return this.enqueue(command);
  }

  /** Queues a command line already known to be wire-safe. */
  private enqueue(command: string, last = false): Promise<AgiSuccessReply> {
    // An explicit queue, not a promise chain: most sessions send one command, and a chained
    // promise per command was measurable. The next command goes out when the reply comes in.
    return new Promise<AgiSuccessReply>((resolve, reject) => {
      const queued = { command, resolve, reject, last };
      if (this.pending || this.waiting.length > 0) this.waiting.push(queued);
      else this.start(queued);
    });
  }

  /** Writes one command, in one socket write, and waits for its reply. */
  private start(queued: QueuedCommand): void {
    if (this.closedWith) {
      queued.reject(this.closedWith());
      return;
    }
    if (this.ending) {
      queued.reject(new AgiConnectionClosedError('AGI session ended with its last command'));
      return;
    }
    const { command } = queued;
    const timer = setTimeout(() => {
      this.abort(new AgiTimeoutError(`no reply to "${command}" within ${this.commandTimeoutMs} ms`));
    }, this.commandTimeoutMs);
    this.pending = { command, resolve: queued.resolve, reject: queued.reject, timer };
    if (queued.last) {
      // Our side is done: the FIN leaves with the command, so Asterisk runs it, answers and goes
      // on in the dialplan at once instead of waiting for us to read its answer and close. The
      // answer is still read (the connection stays open for reading until Asterisk closes it).
      this.ending = true;
      this.socket.end(`${command}\n`);
    } else this.socket.write(`${command}\n`);
  }

  /** GET VARIABLE: the value, or undefined when the variable is not set (result=0). */
  async getVariable(name: string): Promise<string | undefined> {
    assertVariableOrFunction(name);
    const reply = await this.send(`GET VARIABLE ${quoteArgument(name)}`);
    return reply.result === '1' ? (reply.data ?? '') : undefined;
  }

  /** GET FULL VARIABLE: evaluates an expression such as `${CALLERID(num)}`. */
  async getFullVariable(expression: string): Promise<string | undefined> {
    const reply = await this.send(`GET FULL VARIABLE ${quoteArgument(expression)}`);
    return reply.result === '1' ? (reply.data ?? '') : undefined;
  }

  async setVariable(name: string, value: string): Promise<void> {
    assertVariableOrFunction(name);
    await this.send(`SET VARIABLE ${quoteArgument(name)} ${quoteArgument(value)}`);
  }

  /**
   * Sets several variables in as few round trips as possible: one `EXEC MSet` per 99 pairs
   * (see docs/dialplan-agi.md), a plain SET VARIABLE when there is only one.
   */
  async setVariables(
    variables: Readonly<Record<string, string>> | ReadonlyArray<readonly [string, string]>,
    options: { readonly end?: boolean } = {},
  ): Promise<void> {
    const entries = isPairs(variables) ? variables : Object.entries(variables);
    if (entries.length === 1) {
      const [name, value] = entries[0] as [string, string];
      // A plain name only, never a function: the same rule as MSet's (msetData checks those).
      assertVariableName(name);
      if (options.end)
        await this.enqueue(`SET VARIABLE ${quoteArgument(name)} ${quoteArgument(value)}`, true);
      else await this.setVariable(name, value);
      return;
    }
    // Every name is checked before the first MSet is sent, so a bad one sends nothing at all.
    const batches: string[] = [];
    for (let start = 0; start < entries.length; start += MSET_MAX_PAIRS)
      batches.push(msetData(entries.slice(start, start + MSET_MAX_PAIRS)));
    // The names and values were checked by msetData (names valid, no CR/LF/NUL in any value):
    // the command goes out without scanning it again.
    for (const [index, data] of batches.entries())
      await this.enqueue(
        `EXEC MSet ${quoteWireSafe(data)}`,
        options.end === true && index === batches.length - 1,
      );
  }

  /** EXEC an application; resolves with its result code. -2 (not found) rejects. */
  async exec(application: string, data = ''): Promise<number> {
    assertApplicationName(application);
    const reply = await this.send(`EXEC ${application} ${quoteArgument(data)}`);
    const result = Number(reply.result);
    if (result === -2) {
      throw new AgiApplicationNotFoundError(
        `EXEC ${application}`,
        200,
        reply.raw,
        `application ${application} not found`,
      );
    }
    return result;
  }

  async verbose(message: string, level = 1): Promise<void> {
    await this.send(`VERBOSE ${quoteArgument(message)} ${Math.max(1, Math.min(4, Math.trunc(level)))}`);
  }

  async noop(text = ''): Promise<void> {
    await this.send(text === '' ? 'NOOP' : `NOOP ${quoteArgument(text)}`);
  }

  /** Ends the session from our side: Asterisk continues in the dialplan. */
  end(): void {
    if (!this.closedWith) this.fail(() => new AgiConnectionClosedError('AGI session ended'));
    // Ending a socket already ended (most sessions: the FIN left with the last command) makes Node
    // build an ERR_STREAM_ALREADY_FINISHED with its stack trace and drop it: 5 % of the server's
    // CPU in the c16 profile, for nothing.
    if (!this.socket.writableEnded) this.socket.end();
  }

  /** Fails the session and drops the connection (timeouts, protocol errors, deadlines). */
  abort(error: AgiError): void {
    this.fail(() => error);
    this.socket.destroy();
  }

  private fail(reason: () => AgiError): void {
    if (this.closedWith) return;
    let error: AgiError | undefined;
    this.closedWith = () => {
      error ??= reason();
      return error;
    };
    const pending = this.pending;
    this.pending = undefined;
    if (pending) {
      clearTimeout(pending.timer);
      pending.reject(this.closedWith());
    }
    for (const queued of this.waiting.splice(0)) queued.reject(this.closedWith());
    this.emit('close');
  }
}

function isPairs(
  variables: Readonly<Record<string, string>> | ReadonlyArray<readonly [string, string]>,
): variables is ReadonlyArray<readonly [string, string]> {
  return Array.isArray(variables);
}

function toCommandError(command: string, reply: AgiErrorReply): AgiCommandError {
  switch (reply.code) {
    case 510:
      return new AgiInvalidCommandError(command, 510, reply.raw);
    case 511:
      return new AgiDeadChannelError(command, 511, reply.raw);
    case 520:
      return new AgiUsageError(command, reply.raw, reply.body ?? '');
    default:
      return new AgiCommandError(command, reply.code, reply.raw);
  }
}
