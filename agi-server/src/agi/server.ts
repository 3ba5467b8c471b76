import { once } from 'node:events';
import { type AddressInfo, createServer, type Server, type Socket } from 'node:net';
import type { Logger } from 'pino';
import type { AddressCheck } from './allow-list.js';
import { EnvCollector } from './env.js';
import {
  AgiCommandError,
  AgiConnectionClosedError,
  AgiDeadChannelError,
  AgiDeadlineError,
  AgiError,
  AgiProtocolError,
  AgiRequestError,
  AgiTimeoutError,
} from './errors.js';
import { LineReader } from './line-reader.js';
import { rateLimitedWarn } from './rate-limited-log.js';
import { AgiSession } from './session.js';
import { quoteArgument } from './wire.js';

/** A script handler: reads the session's env, sends commands, returns when done. */
export type AgiScriptHandler = (session: AgiSession) => Promise<void>;

export interface FastAgiServerOptions {
  readonly host: string;
  readonly port: number;
  /** Handlers by `agi_network_script` name (without the query string). */
  readonly scripts: ReadonlyMap<string, AgiScriptHandler>;
  readonly logger: Logger;
  /**
   * Connections served at once, counted from accept (not from the env block, which a flood can
   * hold back): further connections are refused at once (see `errorVariable`).
   */
  readonly maxSessions?: number;
  /** Who may connect (SB_AGI_ALLOW); others are dropped at accept. Unset: anyone who reaches the port. */
  readonly allow?: AddressCheck;
  /** Time for the peer to send its whole environment block. */
  readonly envTimeoutMs?: number;
  readonly commandTimeoutMs?: number;
  /** Whole-session deadline: a stuck handler must not hold a channel in the dialplan. */
  readonly sessionDeadlineMs?: number;
  readonly maxLineBytes?: number;
  readonly backlog?: number;
  /**
   * Channel variable set to a short reason (`capacity`, `unknown-script`, `pbx-reply`, `bad-request`, `handler-error`) when
   * the server cannot serve a session, so that the dialplan's fallback branch can log why.
   */
  readonly errorVariable?: string;
  /** Called once per finished session, for metrics. */
  readonly onSessionEnd?: (outcome: SessionOutcome) => void;
  /**
   * Called when a call is left to the dialplan's static fallback (refused, unknown script,
   * failed handler, session deadline), with the same short reason; for metrics.
   */
  readonly onFallback?: (reason: string) => void;
  /** Called for every connection refused at accept, with why; for metrics. */
  readonly onRefused?: (reason: RefusalReason) => void;
}

/** Why a connection was refused at accept. */
export type RefusalReason = 'not-allowed' | 'capacity' | 'shutting-down';

/** The metric label of a script name that no handler serves: names are the peer's to choose. */
export const UNKNOWN_SCRIPT = 'unknown';

export interface SessionOutcome {
  /** The script's name when a handler serves it, else UNKNOWN_SCRIPT (a bounded label set). */
  readonly script: string;
  readonly uniqueId: string;
  readonly durationMs: number;
  readonly ok: boolean;
  readonly hungUp: boolean;
  /** Dropped unserved: the call was over before the session began (HANGUP first). */
  readonly stale: boolean;
}

export interface FastAgiServer {
  listen(): Promise<AddressInfo>;
  /** Stops accepting, waits up to `drainMs` for running sessions, then cuts the rest. */
  close(drainMs?: number): Promise<void>;
  /** Connections holding a place under maxSessions (accepted, not yet finished). */
  readonly activeSessions: number;
  readonly openConnections: number;
}

const DEFAULTS = {
  maxSessions: 512,
  envTimeoutMs: 2_000,
  commandTimeoutMs: 5_000,
  sessionDeadlineMs: 10_000,
  // agi_network_script carries our query string (URI-encoded header values): 16 KiB is ample.
  maxLineBytes: 16 * 1024,
  // Asterisk opens one connection per call; a burst must queue in the kernel, not be refused.
  backlog: 511,
};

export function createFastAgiServer(options: FastAgiServerOptions): FastAgiServer {
  const settings = { ...DEFAULTS, ...withoutUndefined(options) };
  const { logger } = options;
  const connections = new Set<Socket>();
  /** Places taken under maxSessions: one per admitted connection, from accept to session end. */
  let admitted = 0;
  /** Called when the last place is given back (close() waits for it). */
  let onIdle: (() => void) | undefined;
  let server: Server | undefined;
  let closing = false;
  const warnRefused = rateLimitedWarn(logger, 'AGI connection refused');
  const allowed = options.allow ? rememberAnswers(options.allow) : undefined;

  function refuse(socket: Socket, reason: RefusalReason): void {
    options.onRefused?.(reason);
    warnRefused(reason, { reason, remote: socket.remoteAddress, activeSessions: admitted });
    if (reason === 'not-allowed') {
      // A stranger gets nothing back, not even a reason.
      socket.destroy();
      return;
    }
    options.onFallback?.(reason);
    // Discard what Asterisk sends (its env block) so that its FIN reaches us and the socket closes.
    socket.resume();
    const command = options.errorVariable
      ? `SET VARIABLE ${options.errorVariable} ${quoteArgument(reason)}\n`
      : '';
    socket.end(command);
    socket.setTimeout(1_000, () => socket.destroy());
  }

  // Shared by every socket (no closures per connection).
  function forget(this: Socket): void {
    connections.delete(this);
  }
  function onSocketError(error: Error): void {
    logger.debug({ err: error }, 'AGI socket error');
  }

  function onConnection(socket: Socket): void {
    connections.add(socket);
    socket.on('error', onSocketError);
    if (allowed && !allowed(socket.remoteAddress ?? '', socket.remoteFamily ?? '')) {
      socket.once('close', forget);
      refuse(socket, 'not-allowed');
      return;
    }
    socket.setNoDelay(true);
    if (closing) {
      socket.once('close', forget);
      refuse(socket, 'shutting-down');
      return;
    }
    // Counted here, at accept: a flood of connections that send their env blocks late must not
    // all become sessions at once (docs/fastagi.md).
    if (admitted >= settings.maxSessions) {
      socket.once('close', forget);
      refuse(socket, 'capacity');
      return;
    }
    admitted++;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      admitted--;
      if (admitted === 0) onIdle?.();
    };
    // Whichever comes first: the session ends (its socket may linger until the peer's FIN) or
    // the connection closes without a session (no env block, garbage, a health check).
    // One listener for both jobs (forget the socket, give the place back): a listener per job
    // was measurable per session.
    socket.once('close', () => {
      connections.delete(socket);
      clearTimeout(envTimer);
      release();
    });

    const started = performance.now();
    let session: AgiSession | undefined;
    const collector = new EnvCollector();
    const envTimer = setTimeout(() => {
      // Health checks and port scanners connect and send nothing: end quietly.
      logger.debug('AGI connection sent no environment in time');
      release();
      socket.destroy();
    }, settings.envTimeoutMs);

    const reader = new LineReader(
      settings.maxLineBytes,
      (line) => {
        if (session) {
          session.handleLine(line);
          return;
        }
        try {
          if (!collector.add(line)) return;
          clearTimeout(envTimer);
          session = new AgiSession(collector.build(), socket, settings.commandTimeoutMs);
          void runSession(session, socket, started).finally(release);
        } catch (error) {
          clearTimeout(envTimer);
          logger.debug({ err: error }, 'AGI connection closed: not a valid environment');
          release();
          socket.destroy();
        }
      },
      () => {
        clearTimeout(envTimer);
        logger.debug({ maxLineBytes: settings.maxLineBytes }, 'AGI connection closed: line too long');
        if (session) session.abort(new AgiProtocolError('line too long'));
        else {
          release();
          socket.destroy();
        }
      },
    );
    reader.attach(socket);
  }

  async function runSession(session: AgiSession, socket: Socket, started: number): Promise<void> {
    const { script, uniqueId } = session.env;
    // Only the unusual endings log here (the handlers write the one line per call): the child
    // logger is made when one of them needs it, not for every session.
    const log = () => logger.child({ script, uniqueid: uniqueId });
    const handler = options.scripts.get(script);
    const label = handler ? script : UNKNOWN_SCRIPT;
    let ok = false;
    let stale = false;
    let deadline: NodeJS.Timeout | undefined;
    try {
      if (!handler) {
        log().warn('unknown AGI script');
        await setErrorVariable(session, 'unknown-script');
        return;
      }
      // Lines that arrived together with the environment block are read before the handler
      // starts (the rest of the chunk is read synchronously, before this microtask resumes). A
      // session whose first line is HANGUP is a call that is already over: a server that was
      // stopped and resumed reads exactly that in one piece (the env block of a call long gone,
      // then HANGUP). Routing or logging it would put a stale call on record (see docs/fastagi.md).
      await Promise.resolve();
      if (session.hungUp) {
        log().info({ event: 'stale-session-dropped' }, 'AGI session dropped: HANGUP before any command');
        ok = true;
        stale = true;
        return;
      }
      const expired = new Promise<never>((_, reject) => {
        deadline = setTimeout(
          () => reject(new AgiDeadlineError(`session deadline of ${settings.sessionDeadlineMs} ms passed`)),
          settings.sessionDeadlineMs,
        );
      });
      const work = handler(session);
      // Past the deadline the handler's own failure no longer matters; it must not go unhandled.
      work.catch(() => undefined);
      await Promise.race([work, expired]);
      ok = true;
    } catch (error) {
      if (
        session.hungUp &&
        (error instanceof AgiConnectionClosedError || error instanceof AgiDeadChannelError)
      ) {
        // The caller left and Asterisk closed the socket: an ordinary end, not an error.
        log().info('caller hung up during AGI session');
      } else if (error instanceof AgiConnectionClosedError) {
        // The peer closed without HANGUP (a dropped link, a restarting PBX, a probe): nothing is
        // left to answer, so no variable can be set; worth a warning, not an error with a stack
        // for every such connection (the fuzz suite saw thousands).
        log().warn({ reason: error.message }, 'AGI peer closed the connection mid-session');
      } else if (
        error instanceof AgiCommandError ||
        error instanceof AgiProtocolError ||
        error instanceof AgiRequestError ||
        (error instanceof AgiTimeoutError && !(error instanceof AgiDeadlineError))
      ) {
        // The PBX refused a command (510, 511 without HANGUP, 520), answered out of protocol or
        // not in time (the session is cut then), or sent a request the script cannot serve: the
        // peer's doing, not this server's. The call
        // still reaches a phone (the dialplan's static fallback); one warning per session
        // without a stack, and the fallback counted by reason, which is where an operator sees
        // a PBX at odds with this server. `error` stays for this server's own faults
        // (docs/fastagi.md, "Log levels").
        const reason = error instanceof AgiRequestError ? 'bad-request' : 'pbx-reply';
        log().warn(
          { reason, detail: error.message },
          'the PBX side failed the AGI session (refused command, bad reply or request): call left to the fallback',
        );
        await setErrorVariable(session, reason);
      } else {
        log().error({ err: error }, 'AGI script failed');
        if (error instanceof AgiDeadlineError) {
          options.onFallback?.('session-deadline');
          session.abort(error);
        } else await setErrorVariable(session, 'handler-error');
      }
    } finally {
      clearTimeout(deadline);
      session.end();
      socket.setTimeout(2_000, () => socket.destroy());
      options.onSessionEnd?.({
        script: label,
        uniqueId,
        durationMs: performance.now() - started,
        ok,
        hungUp: session.hungUp,
        stale,
      });
    }
  }

  async function setErrorVariable(session: AgiSession, reason: string): Promise<void> {
    options.onFallback?.(reason);
    if (!options.errorVariable || session.closed) return;
    try {
      await session.setVariable(options.errorVariable, reason);
    } catch (error) {
      if (!(error instanceof AgiError)) throw error;
    }
  }

  return {
    get activeSessions() {
      return admitted;
    },
    get openConnections() {
      return connections.size;
    },
    async listen() {
      server = createServer({ noDelay: true }, onConnection);
      server.listen({ host: settings.host, port: settings.port, backlog: settings.backlog });
      await once(server, 'listening');
      return server.address() as AddressInfo;
    },
    async close(drainMs = 10_000) {
      closing = true;
      const stopped = server
        ? new Promise<void>((resolve) => server?.close(() => resolve()))
        : Promise.resolve();
      // Every admitted connection: sessions running, and connections whose env block is still on
      // its way (they become sessions, or time out).
      const drained =
        admitted === 0
          ? Promise.resolve()
          : new Promise<void>((resolve) => {
              onIdle = resolve;
            });
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), drainMs);
      });
      const result = await Promise.race([drained, timedOut]);
      clearTimeout(timer);
      if (result === 'timeout') logger.warn({ sessions: admitted }, 'drain timed out; cutting sessions');
      for (const socket of connections) socket.destroy();
      await stopped;
    },
  };
}

/**
 * The allow list's answer per peer address, remembered: a server sees the same few PBXes over
 * and over, and net.BlockList builds address objects on every check. Bounded: a scan from many
 * addresses empties the memory rather than growing it.
 */
function rememberAnswers(check: AddressCheck, limit = 1_024): AddressCheck {
  const answers = new Map<string, boolean>();
  return (address, family) => {
    let answer = answers.get(address);
    if (answer === undefined) {
      answer = check(address, family);
      if (answers.size >= limit) answers.clear();
      answers.set(address, answer);
    }
    return answer;
  };
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
