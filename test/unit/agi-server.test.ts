import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  AgiApplicationNotFoundError,
  AgiConnectionClosedError,
  AgiDeadChannelError,
  AgiInvalidCommandError,
  type AgiScriptHandler,
  AgiTimeoutError,
  AgiUsageError,
  createFastAgiServer,
  type FastAgiServer,
  type FastAgiServerOptions,
  type SessionOutcome,
} from '../../agi-server/src/agi/index.js';
import { captureLogger } from '../support/capture-logger.js';
import { agiEnvBlock, FakeAsterisk } from '../support/fake-asterisk.js';

let server: FastAgiServer | undefined;
let log = captureLogger();

async function startServer(
  scripts: Record<string, AgiScriptHandler>,
  options: Partial<FastAgiServerOptions> = {},
): Promise<number> {
  log = captureLogger();
  server = createFastAgiServer({
    host: '127.0.0.1',
    port: 0,
    scripts: new Map(Object.entries(scripts)),
    logger: log.logger,
    errorVariable: 'SB_AGI_ERROR',
    ...options,
  });
  return (await server.listen()).port;
}

const errorsLogged = () => log.lines.filter((line) => Number(line.level) >= 50);

afterEach(async () => {
  await server?.close(500);
  server = undefined;
});

describe('FastAGI server: commands and replies', () => {
  it('runs the script named by agi_network_script and resolves typed replies', async () => {
    const seen: Array<string | undefined> = [];
    const port = await startServer({
      lookup: async (session) => {
        seen.push(session.env.query.did);
        seen.push(await session.getVariable('SB_SET'));
        seen.push(await session.getVariable('SB_UNSET'));
        seen.push(await session.getFullVariable('${CALLERID(num)}'));
        await session.setVariable('SB_ACTION', 'dial');
        seen.push(String(await session.exec('NoOp', 'x, y')));
        await session.verbose('hello world', 3);
        await session.noop();
      },
    });
    const asterisk = await FakeAsterisk.start(port, 'lookup?did=%2B1986');
    const replies: Record<string, string> = {
      'GET VARIABLE "SB_SET"': '200 result=1 (a: b (c))',
      'GET VARIABLE "SB_UNSET"': '200 result=0',
      'GET FULL VARIABLE "${CALLERID(num)}"': '200 result=1 (+15551230001)',
    };
    const commands = await asterisk.serve((command) => replies[command] ?? '200 result=0');
    expect(commands).toEqual([
      'GET VARIABLE "SB_SET"',
      'GET VARIABLE "SB_UNSET"',
      'GET FULL VARIABLE "${CALLERID(num)}"',
      'SET VARIABLE "SB_ACTION" "dial"',
      'EXEC NoOp "x, y"',
      'VERBOSE "hello world" 3',
      'NOOP',
    ]);
    expect(seen).toEqual(['+1986', 'a: b (c)', undefined, '+15551230001', '0']);
    expect(errorsLogged()).toEqual([]);
  });

  it('sets several variables in one EXEC MSet round trip', async () => {
    const port = await startServer({
      inbound: (session) => session.setVariables({ SB_ACTION: 'dial', SB_DIAL: 'PJSIP/100', SB_NOTE: 'a,b' }),
    });
    const commands = await (await FakeAsterisk.start(port, 'inbound')).serve();
    expect(commands).toEqual(['EXEC MSet "SB_ACTION=dial,SB_DIAL=PJSIP/100,SB_NOTE=a\\\\,b"']);
  });

  it('sends a last command together with its end of the connection, and still reads the answer', async () => {
    const outcome: string[] = [];
    const port = await startServer({
      inbound: async (session) => {
        await session.setVariables(
          [
            ['SB_ACTION', 'dial'],
            ['SB_DIAL', 'PJSIP/100'],
          ],
          { end: true },
        );
        outcome.push('answered');
        await session.noop().catch((error: unknown) => outcome.push((error as Error).constructor.name));
      },
    });
    // A raw peer: it answers only once it has seen our FIN, as Asterisk may (it runs the command,
    // answers, then reads the end of the connection and goes on in the dialplan).
    const socket = connect({ host: '127.0.0.1', port });
    socket.setEncoding('utf8');
    let received = '';
    let endedWith = '';
    socket.on('data', (chunk: string) => {
      received += chunk;
    });
    const ended = new Promise<void>((resolve) =>
      socket.once('end', () => {
        endedWith = received;
        resolve();
      }),
    );
    socket.allowHalfOpen = true;
    socket.write(agiEnvBlock('inbound'));
    await ended;
    expect(endedWith).toBe('EXEC MSet "SB_ACTION=dial,SB_DIAL=PJSIP/100"\n');
    socket.end('200 result=0\n');
    await new Promise((resolve) => socket.once('close', resolve));
    await expect.poll(() => outcome).toEqual(['answered', 'AgiConnectionClosedError']);
    expect(errorsLogged()).toEqual([]);
  });

  it('rejects 510, 511 and 520 with typed errors carrying the usage text', async () => {
    const caught: unknown[] = [];
    const port = await startServer({
      errors: async (session) => {
        for (const command of ['BOGUS', 'STREAM FILE x ""', 'GET VARIABLE']) {
          await session.send(command).catch((error: unknown) => caught.push(error));
        }
        await session.exec('NoSuchApp').catch((error: unknown) => caught.push(error));
      },
    });
    const asterisk = await FakeAsterisk.start(port, 'errors');
    const commands: string[] = [];
    for (
      let command = await asterisk.nextCommand();
      command !== undefined;
      command = await asterisk.nextCommand()
    ) {
      commands.push(command);
      if (command === 'BOGUS') asterisk.send('510 Invalid or unknown command\n');
      else if (command.startsWith('STREAM'))
        asterisk.send('511 Command Not Permitted on a dead channel or intercept routine\n');
      else if (command === 'GET VARIABLE')
        asterisk.send(
          '520-Invalid command syntax.  Proper usage follows:\n Usage: GET VARIABLE <variablename>\n520 End of proper usage.\n',
        );
      else asterisk.send('200 result=-2\n');
    }
    expect(caught[0]).toBeInstanceOf(AgiInvalidCommandError);
    expect(caught[1]).toBeInstanceOf(AgiDeadChannelError);
    expect(caught[2]).toBeInstanceOf(AgiUsageError);
    expect((caught[2] as AgiUsageError).usage).toBe(' Usage: GET VARIABLE <variablename>');
    expect(caught[3]).toBeInstanceOf(AgiApplicationNotFoundError);
  });

  it('sets SB_AGI_ERROR for an unknown script and for a handler that throws', async () => {
    const port = await startServer({
      broken: async () => {
        throw new Error('boom');
      },
    });
    expect(await (await FakeAsterisk.start(port, 'nosuch')).serve()).toEqual([
      'SET VARIABLE "SB_AGI_ERROR" "unknown-script"',
    ]);
    expect(await (await FakeAsterisk.start(port, 'broken')).serve()).toEqual([
      'SET VARIABLE "SB_AGI_ERROR" "handler-error"',
    ]);
    expect(errorsLogged()).toHaveLength(1);
  });
});

describe('FastAGI server: HANGUP', () => {
  it('takes HANGUP before a reply as an event, then the reply still answers the command', async () => {
    const events: string[] = [];
    const port = await startServer({
      inbound: async (session) => {
        session.on('hangup', () => events.push('hangup'));
        events.push(`value=${await session.getVariable('X')}`);
        events.push(`hungUp=${session.hungUp}`);
      },
    });
    const asterisk = await FakeAsterisk.start(port, 'inbound');
    expect(await asterisk.nextCommand()).toBe('GET VARIABLE "X"');
    asterisk.send('HANGUP\n200 result=1 (still here)\n');
    await asterisk.closed;
    expect(events).toEqual(['hangup', 'value=still here', 'hungUp=true']);
    expect(errorsLogged()).toEqual([]);
  });

  it('ends quietly when HANGUP comes instead of a reply and Asterisk closes', async () => {
    let failure: unknown;
    const port = await startServer({
      inbound: async (session) => {
        await session.getVariable('X').catch((error: unknown) => {
          failure = error;
          throw error;
        });
      },
    });
    const asterisk = await FakeAsterisk.start(port, 'inbound');
    await asterisk.nextCommand();
    asterisk.send('HANGUP\n');
    asterisk.close();
    await asterisk.closed;
    await expect.poll(() => server?.activeSessions).toBe(0);
    expect(failure).toBeInstanceOf(AgiConnectionClosedError);
    expect(errorsLogged()).toEqual([]);
    expect(log.lines.some((line) => line.msg === 'caller hung up during AGI session')).toBe(true);
  });

  it('ignores the HANGUP Asterisk sends after the server has closed', async () => {
    const port = await startServer({ inbound: async () => undefined });
    const asterisk = await FakeAsterisk.start(port, 'inbound');
    await asterisk.nextCommand();
    asterisk.send('HANGUP\n');
    await asterisk.closed;
    expect(errorsLogged()).toEqual([]);
  });
});

describe('FastAGI server: stale sessions (a stopped server resumed)', () => {
  it('drops a session whose first line after the env block is HANGUP: the handler never runs', async () => {
    let ran = false;
    const outcomes: SessionOutcome[] = [];
    const port = await startServer(
      {
        hangup: async () => {
          ran = true;
        },
      },
      { onSessionEnd: (outcome) => outcomes.push(outcome) },
    );
    // What a server stopped with SIGSTOP reads when it resumes: a call long over, in one piece.
    const asterisk = await FakeAsterisk.open(port);
    asterisk.send(`${agiEnvBlock('hangup?linkedid=1.1&dialstatus=ANSWER')}HANGUP\nHANGUP\n`);
    asterisk.close();
    await asterisk.closed;
    await expect.poll(() => server?.activeSessions).toBe(0);
    expect(ran).toBe(false);
    expect(log.lines.filter((line) => line.event === 'stale-session-dropped')).toHaveLength(1);
    expect(outcomes).toMatchObject([{ script: 'hangup', stale: true, hungUp: true }]);
    expect(errorsLogged()).toEqual([]);
  });

  it('runs the handler when HANGUP comes only after it started (a caller who leaves mid-session)', async () => {
    let ran = false;
    const port = await startServer({
      inbound: async (session) => {
        ran = true;
        await session.getVariable('X');
      },
    });
    const asterisk = await FakeAsterisk.start(port, 'inbound');
    expect(await asterisk.nextCommand()).toBe('GET VARIABLE "X"');
    asterisk.send('HANGUP\n200 result=0\n');
    await asterisk.closed;
    expect(ran).toBe(true);
    expect(log.lines.filter((line) => line.event === 'stale-session-dropped')).toEqual([]);
  });
});

describe('FastAGI server: bad peers', () => {
  it('closes a connection that sends nothing, quietly, after the env timeout', async () => {
    const port = await startServer({}, { envTimeoutMs: 100 });
    const asterisk = await FakeAsterisk.open(port);
    await asterisk.closed;
    await expect.poll(() => server?.openConnections).toBe(0);
    expect(log.lines.filter((line) => Number(line.level) >= 40)).toEqual([]);
  });

  it('closes a connection that connects and hangs up at once (health check)', async () => {
    const port = await startServer({});
    const asterisk = await FakeAsterisk.open(port);
    asterisk.close();
    await asterisk.closed;
    await expect.poll(() => server?.openConnections).toBe(0);
    expect(log.lines.filter((line) => Number(line.level) >= 40)).toEqual([]);
  });

  it('closes a connection that sends garbage (an HTTP request)', async () => {
    const port = await startServer({});
    const asterisk = await FakeAsterisk.open(port);
    asterisk.send('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    await asterisk.closed;
    expect(log.lines.filter((line) => Number(line.level) >= 40)).toEqual([]);
  });

  it('closes a connection that sends an endless line early, never buffering it', async () => {
    const port = await startServer({}, { maxLineBytes: 16 * 1024 });
    const socket = connect({ host: '127.0.0.1', port });
    socket.on('error', () => undefined);
    let closed = false;
    socket.once('close', () => {
      closed = true;
    });
    await new Promise((resolve) => socket.once('connect', resolve));
    // Keep sending one line with no newline. A server that buffered it would take all 64 MiB;
    // ours must hang up after its 16 KiB limit (plus what the kernel's socket buffers hold).
    const chunk = Buffer.alloc(64 * 1024, 0x41);
    let written = 0;
    while (!closed && written < 64 * 1024 * 1024) {
      if (!socket.write(chunk)) await new Promise((resolve) => setTimeout(resolve, 5));
      written += chunk.length;
    }
    await expect.poll(() => closed).toBe(true);
    expect(written).toBeLessThan(64 * 1024 * 1024);
    await expect.poll(() => server?.openConnections).toBe(0);
    expect(log.lines.filter((line) => Number(line.level) >= 40)).toEqual([]);
  });

  it('times out a stalled peer that stops answering, and frees the session', async () => {
    let failure: unknown;
    const port = await startServer(
      {
        inbound: async (session) => {
          await session.getVariable('X').catch((error: unknown) => {
            failure = error;
            throw error;
          });
        },
      },
      { commandTimeoutMs: 100 },
    );
    const asterisk = await FakeAsterisk.start(port, 'inbound');
    expect(await asterisk.nextCommand()).toBe('GET VARIABLE "X"');
    await asterisk.closed;
    expect(failure).toBeInstanceOf(AgiTimeoutError);
    await expect.poll(() => server?.activeSessions).toBe(0);
  });

  it('warns, without an error and its stack, when the peer closes mid-session without HANGUP', async () => {
    const port = await startServer({
      inbound: async (session) => {
        await session.getVariable('X');
      },
    });
    const asterisk = await FakeAsterisk.start(port, 'inbound');
    expect(await asterisk.nextCommand()).toBe('GET VARIABLE "X"');
    asterisk.close();
    await expect.poll(() => server?.activeSessions).toBe(0);
    await expect
      .poll(() => log.lines.some((line) => line.msg === 'AGI peer closed the connection mid-session'))
      .toBe(true);
    expect(errorsLogged()).toEqual([]);
  });

  it('a command the PBX refuses (520) or a reply out of protocol: a warning, SB_AGI_ERROR=pbx-reply, no error line', async () => {
    const fallbacks: string[] = [];
    const port = await startServer(
      {
        inbound: async (session) => {
          await session.setVariables({ SB_ACTION: 'dial' });
        },
      },
      { onFallback: (reason) => fallbacks.push(reason) },
    );
    const refused = await FakeAsterisk.start(port, 'inbound');
    expect(await refused.nextCommand()).toBe('SET VARIABLE "SB_ACTION" "dial"');
    refused.send('520-Invalid command syntax.  Proper usage follows:\n Usage: x\n520 End of proper usage.\n');
    expect(await refused.nextCommand()).toBe('SET VARIABLE "SB_AGI_ERROR" "pbx-reply"');
    refused.send('200 result=1\n');
    await refused.closed;
    const garbled = await FakeAsterisk.start(port, 'inbound');
    await garbled.nextCommand();
    garbled.send('not AGI at all\n');
    await garbled.closed;
    await expect.poll(() => server?.activeSessions).toBe(0);
    expect(fallbacks).toEqual(['pbx-reply', 'pbx-reply']);
    expect(log.lines.filter((line) => line.reason === 'pbx-reply').map((line) => line.level)).toEqual([
      40, 40,
    ]);
    expect(errorsLogged()).toEqual([]);
  });

  it('cuts a session that runs past its deadline', async () => {
    const port = await startServer(
      { inbound: () => new Promise<void>(() => undefined) },
      { sessionDeadlineMs: 150 },
    );
    const asterisk = await FakeAsterisk.start(port, 'inbound');
    await asterisk.closed;
    await expect.poll(() => server?.activeSessions).toBe(0);
    expect(errorsLogged()[0]?.msg).toBe('AGI script failed');
  });

  it('closes a peer that stalls in the middle of its env block', async () => {
    const port = await startServer({}, { envTimeoutMs: 100 });
    const asterisk = await FakeAsterisk.open(port);
    asterisk.send('agi_network: yes\nagi_network_script: inbound\n');
    await asterisk.closed;
    expect(server?.activeSessions).toBe(0);
  });
});

describe('FastAGI server: load and lifecycle', () => {
  it('serves 50 concurrent sessions, each its own answer', async () => {
    const port = await startServer({
      inbound: async (session) => {
        const value = await session.getVariable('WHO');
        await session.setVariables({ SB_ACTION: 'dial', SB_DIAL: `PJSIP/${value}` });
      },
    });
    const sessions = await Promise.all(
      Array.from({ length: 50 }, (_, index) =>
        FakeAsterisk.start(port, 'inbound', { agi_uniqueid: `1.${index}` }),
      ),
    );
    const results = await Promise.all(
      sessions.map((asterisk, index) =>
        asterisk.serve((command) => (command.startsWith('GET') ? `200 result=1 (${index})` : '200 result=0')),
      ),
    );
    results.forEach((commands, index) => {
      expect(commands).toEqual(['GET VARIABLE "WHO"', `EXEC MSet "SB_ACTION=dial,SB_DIAL=PJSIP/${index}"`]);
    });
    await expect.poll(() => server?.activeSessions).toBe(0);
    expect(errorsLogged()).toEqual([]);
  });

  it('refuses sessions over the cap with a clear SB_AGI_ERROR and a warning', async () => {
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const port = await startServer({ inbound: () => held }, { maxSessions: 2 });
    const first = await FakeAsterisk.start(port, 'inbound');
    const second = await FakeAsterisk.start(port, 'inbound');
    await expect.poll(() => server?.activeSessions).toBe(2);
    const third = await FakeAsterisk.start(port, 'inbound');
    expect(await third.nextCommand()).toBe('SET VARIABLE SB_AGI_ERROR "capacity"');
    await third.closed;
    expect(log.lines.find((line) => line.msg === 'AGI connection refused')).toMatchObject({
      reason: 'capacity',
    });
    release();
    await Promise.all([first.serve(), second.serve()]);
  });

  it('drains running sessions on close and refuses new ones meanwhile', async () => {
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const port = await startServer({
      inbound: async (session) => {
        await held;
        await session.setVariable('SB_ACTION', 'dial');
      },
    });
    const running = await FakeAsterisk.start(port, 'inbound');
    await expect.poll(() => server?.activeSessions).toBe(1);
    const closing = server?.close(5_000);
    const served = running.serve();
    setTimeout(release, 100);
    await closing;
    expect(await served).toEqual(['SET VARIABLE "SB_ACTION" "dial"']);
    await expect(FakeAsterisk.open(port)).rejects.toThrow();
    server = undefined;
  });

  it('cuts sessions that outlive the drain time', async () => {
    const port = await startServer(
      { inbound: () => new Promise<void>(() => undefined) },
      { sessionDeadlineMs: 60_000 },
    );
    const stuck = await FakeAsterisk.start(port, 'inbound');
    await expect.poll(() => server?.activeSessions).toBe(1);
    await server?.close(100);
    await stuck.closed;
    expect(log.lines.some((line) => line.msg === 'drain timed out; cutting sessions')).toBe(true);
    server = undefined;
  });

  it('listens with a backlog of at least 511 (Asterisk opens one connection per call)', async () => {
    // Node passes `backlog` to listen(2); the kernel caps it at net.core.somaxconn. What we can
    // check from here is that a burst of 600 connects all succeed.
    const port = await startServer({ inbound: async () => undefined });
    const sockets = await Promise.all(
      Array.from({ length: 600 }, () => FakeAsterisk.open(port).catch(() => undefined)),
    );
    expect(sockets.filter(Boolean)).toHaveLength(600);
    for (const socket of sockets) socket?.socket.destroy();
  });
});
