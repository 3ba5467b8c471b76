import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLoad } from '../../agi-server/bench/load-generator.js';
import { createFastAgiServer } from '../../agi-server/src/agi/index.js';
import type { Switchboard } from '../../agi-server/src/app.js';
import { createMetrics } from '../../agi-server/src/metrics.js';
import { agiEnvBlock, FakeAsterisk } from '../support/fake-asterisk.js';
import { officeConfig } from '../support/routing-fixtures.js';
import { startSwitchboard } from '../support/switchboard.js';

/**
 * The FastAGI port probed as an attacker on the same network would (issue 16): a flood of
 * connections that hold their env blocks back, and thousands of made-up script names. Whole
 * Switchboard, real sockets, the figures read from its own /metrics.
 */

const MAX_SESSIONS = 100;
const FLOOD = 2_000;
// A Tuesday, 09:00 in Chicago: the sample schedule is open.
const NOW = new Date('2026-11-24T15:00:00Z');

let switchboard: Switchboard;
let agiPort: number;
let apiUrl: string;

beforeAll(async () => {
  const started = await startSwitchboard({
    seed: officeConfig,
    clock: () => NOW,
    env: { SB_AGI_MAX_SESSIONS: String(MAX_SESSIONS) },
  });
  ({ switchboard, agiPort, apiUrl } = started);
});

afterAll(async () => {
  await switchboard?.close();
});

async function metricsText(): Promise<string> {
  const response = await fetch(`${apiUrl}/metrics`);
  expect(response.status).toBe(200);
  return response.text();
}

/** The value of one sample line, e.g. `switchboard_agi_refused_connections_total{reason="capacity"}`. */
function sample(text: string, series: string): number {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}

describe('FastAGI port: connections are counted at accept', () => {
  it(`serves at most SB_AGI_MAX_SESSIONS of ${FLOOD} connections that send their env blocks 300 ms late; the rest are refused at once`, async () => {
    // The FastAGI server alone, with the product's metrics: its env-block timeout is set long
    // here so that the sessions admitted first are still waiting when the last wave is in.
    const metrics = createMetrics({ activeSessions: () => server.activeSessions, callLogPending: () => 0 });
    let running = 0;
    let mostRunning = 0;
    const server = createFastAgiServer({
      host: '127.0.0.1',
      port: 0,
      logger: pino({ level: 'silent' }),
      maxSessions: MAX_SESSIONS,
      envTimeoutMs: 60_000,
      errorVariable: 'SB_AGI_ERROR',
      scripts: new Map([
        [
          'inbound',
          async (session) => {
            running++;
            mostRunning = Math.max(mostRunning, running);
            try {
              await session.setVariable('SB_ACTION', 'dial');
              await new Promise((resolve) => setTimeout(resolve, 20));
            } finally {
              running--;
            }
          },
        ],
      ]),
      onRefused: (reason) => metrics.refusedConnections.inc({ reason }),
      onSessionEnd: (outcome) => metrics.observeSession(outcome),
    });
    const port = (await server.listen()).port;
    const refused = async () =>
      sample(
        await metrics.registry.metrics(),
        'switchboard_agi_refused_connections_total{reason="capacity"}',
      );
    try {
      // All open at once before any env block is sent, opened in waves within the listen
      // backlog (511): beyond it Linux completes the handshake with a SYN cookie and the server
      // sees the connection only once the client sends something.
      const clients: FakeAsterisk[] = [];
      while (clients.length < FLOOD) {
        clients.push(...(await Promise.all(Array.from({ length: 400 }, () => FakeAsterisk.open(port)))));
        await expect
          .poll(async () => (await refused()) + server.activeSessions, { timeout: 10_000, interval: 20 })
          .toBe(clients.length);
      }
      // Every connection is in and none has sent its env block: the refusals were made at accept.
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(await refused()).toBe(FLOOD - MAX_SESSIONS);
      expect(server.activeSessions).toBe(MAX_SESSIONS);

      const served = await Promise.all(
        clients.map(async (client, index) => {
          if (!client.socket.destroyed)
            client.send(agiEnvBlock('inbound', { agi_uniqueid: `1764000000.${index}` }));
          return client.serve();
        }),
      );
      const capacity = served.filter(
        (commands) => commands.length === 1 && commands[0] === 'SET VARIABLE SB_AGI_ERROR "capacity"',
      );
      const routed = served.filter((commands) => commands[0] === 'SET VARIABLE "SB_ACTION" "dial"');
      expect(capacity).toHaveLength(FLOOD - MAX_SESSIONS);
      expect(routed).toHaveLength(MAX_SESSIONS);
      expect(mostRunning).toBeLessThanOrEqual(MAX_SESSIONS);
      expect(
        sample(
          await metrics.registry.metrics(),
          'switchboard_agi_sessions_total{script="inbound",result="ok"}',
        ),
      ).toBe(MAX_SESSIONS);
      await expect.poll(() => server.activeSessions).toBe(0);
    } finally {
      await server.close(500);
    }
  });

  it('refuses over SB_AGI_MAX_SESSIONS at accept in the whole Switchboard, counted on /metrics', async () => {
    const before = await metricsText();
    const refused = async () =>
      sample(await metricsText(), 'switchboard_agi_refused_connections_total{reason="capacity"}') -
      sample(before, 'switchboard_agi_refused_connections_total{reason="capacity"}');
    const clients = await Promise.all(
      Array.from({ length: MAX_SESSIONS + 20 }, () => FakeAsterisk.open(agiPort)),
    );
    // Before any env block (the server's own timeout for it is 2 s).
    await expect.poll(refused, { timeout: 1_500, interval: 50 }).toBe(20);
    expect(switchboard.agi.activeSessions).toBe(MAX_SESSIONS);
    const served = await Promise.all(
      clients.map(async (client, index) => {
        if (!client.socket.destroyed)
          client.send(agiEnvBlock('inbound?did=%2B19863334949', { agi_uniqueid: `1764000001.${index}` }));
        return client.serve();
      }),
    );
    expect(
      served.filter((commands) => commands.some((command) => command.startsWith('EXEC MSet'))),
    ).toHaveLength(MAX_SESSIONS);
    const after = await metricsText();
    expect(
      sample(after, 'switchboard_agi_sessions_total{script="inbound",result="ok"}') -
        sample(before, 'switchboard_agi_sessions_total{script="inbound",result="ok"}'),
    ).toBe(MAX_SESSIONS);
    expect(sample(after, 'switchboard_fallbacks_total{reason="capacity"}')).toBe(20);
    await expect.poll(() => switchboard.agi.activeSessions).toBe(0);
  });
});

describe('FastAGI port: script names are not metric labels', () => {
  it('leaves /metrics the same size after 2,000 sessions with random 128-character script names', async () => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-';
    const names = new Set<string>();
    const randomName = () => {
      const name = Array.from(randomBytes(128), (byte) => alphabet[byte % alphabet.length]).join('');
      names.add(name);
      return name;
    };
    // One unknown script first: the `unknown` series exist from then on.
    await runLoad(agiPort, 1, 1, randomName);
    // The previous test's 100 inbound calls queued call-log events; the writer stores them in
    // batches a moment later. Written now, so that their first write (which brings the
    // `switchboard_call_log_events_total{result="written"}` series) cannot land inside the window
    // below: that was the extra `switchboard_` line seen in some full runs on a busy machine.
    await switchboard.callLog.flush();
    const before = await metricsText();
    const load = await runLoad(agiPort, 2_000, 16, randomName);
    expect(load.failures).toBe(0);
    const after = await metricsText();
    // An unknown script is answered with SB_AGI_ERROR=unknown-script: result `error`.
    expect(
      sample(after, 'switchboard_agi_sessions_total{script="unknown",result="error"}') -
        sample(before, 'switchboard_agi_sessions_total{script="unknown",result="error"}'),
    ).toBe(2_000);
    // No script name became a label: exactly the same `switchboard_` series before and after (only
    // the numbers move), and none of the 2,000 names appears anywhere. Node's own process figures
    // (handles by type, GC kinds) come and go by themselves: compared in size only.
    const ours = (text: string) => text.split('\n').filter((line) => line.startsWith('switchboard_'));
    const series = (text: string) =>
      ours(text)
        .map((line) => line.replace(/ [^ ]+$/, ''))
        .sort();
    expect(series(after)).toEqual(series(before));
    expect([...names].filter((name) => after.includes(name))).toEqual([]);
    expect(Math.abs(ours(after).join('\n').length - ours(before).join('\n').length)).toBeLessThan(256);
    expect(Math.abs(after.length - before.length)).toBeLessThan(2_048);
  });
});
