import { once } from 'node:events';
import { type AddressInfo, createServer, type Server, type Socket } from 'node:net';
import type { Logger } from 'pino';
import { EnvCollector } from './env.js';
import {
  AgiConnectionClosedError,
  AgiDeadChannelError,
  AgiError,
  AgiProtocolError,
  AgiTimeoutError,
} from './errors.js';
import { LineReader } from './line-reader.js';
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
  /** Sessions served at once; further connections are refused (see `errorVariable`). */
  readonly maxSessions?: number;
  /** Time for the peer to send its whole environment block. */
  readonly envTimeoutMs?: number;
  readonly commandTimeoutMs?: number;
  /** Whole-session deadline: a stuck handler must not hold a channel in the dialplan. */
  readonly sessionDeadlineMs?: number;
  readonly maxLineBytes?: number;
  readonly backlog?: number;
  /**
   * Channel variable set to a short reason (`capacity`, `unknown-script`, `handler-error`) when
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
}

export interface SessionOutcome {
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
  const sessions = new Set<Promise<void>>();
  let server: Server | undefined;
  let closing = false;

  function refuse(socket: Socket, reason: string): void {
    options.onFallback?.(reason);
    logger.warn({ reason, activeSessions: sessions.size }, 'AGI connection refused');
    // Discard what Asterisk sends (its env block) so that its FIN reaches us and the socket closes.
    socket.resume();
    const command = options.errorVariable
      ? `SET VARIABLE ${options.errorVariable} ${quoteArgument(reason)}\n`
      : '';
    socket.end(command);
    socket.setTimeout(1_000, () => socket.destroy());
  }

  function onConnection(socket: Socket): void {
    connections.add(socket);
    socket.once('close', () => connections.delete(socket));
    socket.on('error', (error) => logger.debug({ err: error }, 'AGI socket error'));
    socket.setNoDelay(true);
    if (closing) {
      refuse(socket, 'shutting-down');
      return;
    }
    if (sessions.size >= settings.maxSessions) {
      refuse(socket, 'capacity');
      return;
    }

    const started = performance.now();
    let session: AgiSession | undefined;
    const collector = new EnvCollector();
    const envTimer = setTimeout(() => {
      // Health checks and port scanners connect and send nothing: end quietly.
      logger.debug('AGI connection sent no environment in time');
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
          track(runSession(session, socket, started));
        } catch (error) {
          clearTimeout(envTimer);
          logger.debug({ err: error }, 'AGI connection closed: not a valid environment');
          socket.destroy();
        }
      },
      () => {
        clearTimeout(envTimer);
        logger.debug({ maxLineBytes: settings.maxLineBytes }, 'AGI connection closed: line too long');
        if (session) session.abort(new AgiProtocolError('line too long'));
        else socket.destroy();
      },
    );
    reader.attach(socket);
    socket.once('close', () => clearTimeout(envTimer));
  }

  function track(run: Promise<void>): void {
    sessions.add(run);
    void run.finally(() => sessions.delete(run));
  }

  async function runSession(session: AgiSession, socket: Socket, started: number): Promise<void> {
    const { script, uniqueId } = session.env;
    const log = logger.child({ script, uniqueid: uniqueId });
    const handler = options.scripts.get(script);
    let ok = false;
    let stale = false;
    let deadline: NodeJS.Timeout | undefined;
    try {
      if (!handler) {
        log.warn('unknown AGI script');
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
        log.info({ event: 'stale-session-dropped' }, 'AGI session dropped: HANGUP before any command');
        ok = true;
        stale = true;
        return;
      }
      const expired = new Promise<never>((_, reject) => {
        deadline = setTimeout(
          () => reject(new AgiTimeoutError(`session deadline of ${settings.sessionDeadlineMs} ms passed`)),
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
        log.info('caller hung up during AGI session');
      } else {
        log.error({ err: error }, 'AGI script failed');
        if (error instanceof AgiTimeoutError) {
          options.onFallback?.('session-deadline');
          session.abort(error);
        } else await setErrorVariable(session, 'handler-error');
      }
    } finally {
      clearTimeout(deadline);
      session.end();
      socket.setTimeout(2_000, () => socket.destroy());
      options.onSessionEnd?.({
        script,
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
      return sessions.size;
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
      const drained = Promise.allSettled([...sessions]);
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), drainMs);
      });
      const result = await Promise.race([drained, timedOut]);
      clearTimeout(timer);
      if (result === 'timeout') logger.warn({ sessions: sessions.size }, 'drain timed out; cutting sessions');
      for (const socket of connections) socket.destroy();
      await stopped;
    },
  };
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
