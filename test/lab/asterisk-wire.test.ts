import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ASTERISK_WIRE_FIXTURE, type AsteriskWire } from '../support/asterisk-wire.js';
import { callFromTwilio } from './calls.js';

// Records real Asterisk 22's side of a FastAGI session: a call from "Twilio" reaches the lab's
// dialplan, whose AGI() connects here instead of to Switchboard. What Asterisk sends (the env
// block, in order) and how it answers each kind of command the server sends (EXEC MSet, SET
// VARIABLE), an unknown command and a malformed one, are compared with the fixture that
// test/support/fake-asterisk.ts replays in the unit and fault tests, so that replay stays true.
// SWITCHBOARD_RECORD_WIRE=1 writes this run's recording as the fixture instead.

const chroot = inject('labChroot');

/** The commands sent, in order; the decision hangs up with cause 17 (busy) so the call ends. */
const PROBES = [
  'SET VARIABLE "SB_AGI_ERROR" "probe"',
  'EXEC MSet "SB_ACTION=hangup,SB_HANGUP_CAUSE=17,SB_REJECT=busy"',
  'GET VARIABLE "SB_ACTION"',
  'NO SUCH COMMAND',
  'SET VARIABLE "SB_ONLY_NAME"',
];

/** Reads Asterisk's socket line by line. */
function lineReader(socket: Socket): () => Promise<string | undefined> {
  let buffer = '';
  const lines: string[] = [];
  const waiting: Array<(line: string | undefined) => void> = [];
  let ended = false;
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    buffer += chunk;
    for (let newline = buffer.indexOf('\n'); newline !== -1; newline = buffer.indexOf('\n')) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      const waiter = waiting.shift();
      if (waiter) waiter(line);
      else lines.push(line);
    }
  });
  socket.on('close', () => {
    ended = true;
    for (const waiter of waiting.splice(0)) waiter(undefined);
  });
  return () => {
    const line = lines.shift();
    if (line !== undefined || ended) return Promise.resolve(line);
    return new Promise((resolve) => waiting.push(resolve));
  };
}

/** One AGI session: the env block as sent, then each probe and Asterisk's whole reply. */
async function record(socket: Socket, probes: string[]): Promise<AsteriskWire['sessions'][number]> {
  const next = lineReader(socket);
  const env: Array<[string, string]> = [];
  for (let line = await next(); line !== undefined && line !== ''; line = await next()) {
    const colon = line.indexOf(': ');
    env.push([line.slice(0, colon), line.slice(colon + 2)]);
  }
  const replies: Array<{ command: string; reply: string[] }> = [];
  for (const command of probes) {
    socket.write(`${command}\n`);
    const reply: string[] = [];
    // A reply ends with a line "NNN ..." (a "NNN-" line continues it, as 520's usage does).
    for (let line = await next(); line !== undefined; line = await next()) {
      reply.push(line);
      if (/^\d{3} /.test(line) || line === 'HANGUP') break;
    }
    replies.push({ command, reply });
  }
  socket.end();
  return {
    script: env.find(([key]) => key === 'agi_network_script')?.[1]?.split('?')[0] ?? '',
    env,
    replies,
  };
}

describe("real Asterisk 22's side of the FastAGI wire", () => {
  let server: Server;
  const sessions: Array<AsteriskWire['sessions'][number]> = [];

  beforeAll(async () => {
    server = createServer((socket) => {
      // The inbound request gets the probes; the hangup handler's report only its env block.
      void record(socket, sessions.length === 0 ? PROBES : []).then((session) => sessions.push(session));
    });
    await new Promise<void>((resolve) => server.listen(4573, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('matches the recording fake-asterisk.ts replays', async () => {
    // The call ends busy (the decision above): SIPp's scenario expects 200 OK, so its exit code
    // is not the point here; the AGI sessions are.
    await callFromTwilio(chroot, { did: '+19863334949', caller: '+15551230001', timeoutSeconds: 20 });
    await expect.poll(() => sessions.length, { timeout: 15_000 }).toBeGreaterThanOrEqual(2);
    const recorded: AsteriskWire = {
      recordedWith: sessions[0]?.env.find(([key]) => key === 'agi_version')?.[1] ?? '',
      sessions: [...sessions].sort((a, b) => (a.script === 'inbound' ? -1 : b.script === 'inbound' ? 1 : 0)),
    };
    writeFileSync(`${chroot}/lab-run/asterisk-wire.json`, `${JSON.stringify(recorded, null, 2)}\n`);
    if (process.env.SWITCHBOARD_RECORD_WIRE === '1')
      writeFileSync(ASTERISK_WIRE_FIXTURE, `${JSON.stringify(recorded, null, 2)}\n`);
    const fixture = JSON.parse(readFileSync(ASTERISK_WIRE_FIXTURE, 'utf8')) as AsteriskWire;

    expect(recorded.recordedWith).toMatch(/^22\./);
    expect(recorded.sessions.map((session) => session.script)).toEqual(
      fixture.sessions.map((session) => session.script),
    );
    recorded.sessions.forEach((session, index) => {
      const replayed = fixture.sessions[index];
      // The same keys in the same order; values that name this call (ids, thread) differ by run.
      expect(session.env.map(([key]) => key)).toEqual(replayed?.env.map(([key]) => key));
      // The same replies, line for line.
      expect(session.replies).toEqual(replayed?.replies);
    });
  });
});
