import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { admitsLoopbackOnly, isLoopbackHost } from '../../agi-server/src/agi/allow-list.js';
import {
  allowListCheck,
  createFastAgiServer,
  type FastAgiServer,
  LOOPBACK_ONLY,
  parseAllowList,
  type RefusalReason,
} from '../../agi-server/src/agi/index.js';
import { rateLimitedWarn } from '../../agi-server/src/agi/rate-limited-log.js';
import { ConfigError, loadServerConfig } from '../../agi-server/src/config.js';
import { captureLogger } from '../support/capture-logger.js';
import { agiEnvBlock } from '../support/fake-asterisk.js';

describe('SB_AGI_ALLOW: parsing', () => {
  it('reads addresses and CIDR blocks of both families', () => {
    expect(parseAllowList(' 10.0.0.5, 10.1.0.0/16 ,fd00::/8,::1')).toEqual([
      { address: '10.0.0.5', prefix: 32, family: 'ipv4' },
      { address: '10.1.0.0', prefix: 16, family: 'ipv4' },
      { address: 'fd00::', prefix: 8, family: 'ipv6' },
      { address: '::1', prefix: 128, family: 'ipv6' },
    ]);
  });

  it.each([
    ['', /names no address/],
    ['pbx.example.com', /not an IP address/],
    ['10.0.0.0/33', /prefix length outside 0-32/],
    ['fd00::/129', /prefix length outside 0-128/],
    ['10.0.0.0/', /prefix length/],
    ['10.0.0.0/8x', /prefix length/],
  ])('refuses %j', (text, message) => {
    expect(() => parseAllowList(text)).toThrow(message);
  });

  it('defaults to loopback only and stops start-up on a bad entry, naming the variable', () => {
    expect(loadServerConfig({}).SB_AGI_ALLOW).toEqual(parseAllowList(LOOPBACK_ONLY));
    expect(() => loadServerConfig({ SB_AGI_ALLOW: '10.0.0.1,nonsense' })).toThrow(ConfigError);
    expect(() => loadServerConfig({ SB_AGI_ALLOW: '10.0.0.1,nonsense' })).toThrow(/SB_AGI_ALLOW/);
  });

  it('tells a loopback-only list and a loopback bind address apart (the start-up warning)', () => {
    expect(admitsLoopbackOnly(parseAllowList(LOOPBACK_ONLY))).toBe(true);
    expect(admitsLoopbackOnly(parseAllowList('127.0.0.1,::ffff:127.0.0.1'))).toBe(true);
    expect(admitsLoopbackOnly(parseAllowList('127.0.0.1,10.0.0.11'))).toBe(false);
    expect(admitsLoopbackOnly(parseAllowList('0.0.0.0/0'))).toBe(false);
    expect(admitsLoopbackOnly(parseAllowList('::1/64'))).toBe(false);
    expect(isLoopbackHost('127.0.0.1')).toBe(true);
    expect(isLoopbackHost('localhost')).toBe(true);
    expect(isLoopbackHost('::1')).toBe(true);
    expect(isLoopbackHost('0.0.0.0')).toBe(false);
    expect(isLoopbackHost('::')).toBe(false);
    expect(isLoopbackHost('10.0.0.5')).toBe(false);
  });

  it('matches IPv4 peers, IPv4-mapped IPv6 peers (a server bound to ::) and IPv6 peers', () => {
    const allowed = allowListCheck(parseAllowList('10.1.0.0/16,127.0.0.0/8,::1'));
    expect(allowed('10.1.200.3', 'IPv4')).toBe(true);
    expect(allowed('::ffff:10.1.200.3', 'IPv6')).toBe(true);
    expect(allowed('127.0.0.9', 'IPv4')).toBe(true);
    expect(allowed('::1', 'IPv6')).toBe(true);
    expect(allowed('10.2.0.1', 'IPv4')).toBe(false);
    expect(allowed('::ffff:10.2.0.1', 'IPv6')).toBe(false);
    expect(allowed('fd00::1', 'IPv6')).toBe(false);
  });
});

let server: FastAgiServer | undefined;

afterEach(async () => {
  await server?.close(500);
  server = undefined;
});

/** Connects from `localAddress` (any 127/8 address is this host), sends an env block, reads all. */
function session(port: number, localAddress: string): Promise<{ received: string; closedMs: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const socket: Socket = connect({ host: '127.0.0.1', port, localAddress });
    let received = '';
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(agiEnvBlock('inbound')));
    socket.on('data', (chunk: string) => {
      received += chunk;
      if (received.endsWith('\n')) socket.write('200 result=0\n');
    });
    socket.on('error', () => undefined);
    socket.on('close', () => resolve({ received, closedMs: performance.now() - started }));
    socket.setTimeout(5_000, () => reject(new Error('no close')));
  });
}

describe('SB_AGI_ALLOW: checked at accept', () => {
  it('drops a peer outside the list at once, without a word, counts it and logs it rate-limited', async () => {
    const log = captureLogger();
    const refusals: RefusalReason[] = [];
    let served = 0;
    server = createFastAgiServer({
      host: '127.0.0.1',
      port: 0,
      logger: log.logger,
      errorVariable: 'SB_AGI_ERROR',
      allow: allowListCheck(parseAllowList('127.0.0.2')),
      scripts: new Map([
        [
          'inbound',
          async (agi) => {
            served++;
            await agi.setVariable('SB_ACTION', 'dial');
          },
        ],
      ]),
      onRefused: (reason) => refusals.push(reason),
    });
    const { port } = await server.listen();

    const allowed = await session(port, '127.0.0.2');
    expect(allowed.received).toBe('SET VARIABLE "SB_ACTION" "dial"\n');

    const strangers = await Promise.all(Array.from({ length: 50 }, () => session(port, '127.0.0.3')));
    for (const stranger of strangers) expect(stranger.received).toBe('');
    expect(served).toBe(1);
    expect(refusals).toEqual(Array.from({ length: 50 }, () => 'not-allowed'));
    const lines = log.lines.filter((line) => line.msg === 'AGI connection refused');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ reason: 'not-allowed', remote: '127.0.0.3' });
  });
});

describe('rate-limited warnings', () => {
  it('logs the first of a key at once and the number left out when the interval ends', async () => {
    const log = captureLogger();
    const warn = rateLimitedWarn(log.logger, 'refused', 100);
    for (let index = 0; index < 10; index++) warn('capacity', { n: index });
    warn('not-allowed', { n: 99 });
    expect(log.lines.map((line) => [line.msg, line.n])).toEqual([
      ['refused', 0],
      ['refused', 99],
    ]);
    await expect
      .poll(() => log.lines.find((line) => line.suppressed !== undefined), { timeout: 2_000 })
      .toMatchObject({ reason: 'capacity', suppressed: 9 });
    warn('capacity', { n: 100 });
    expect(log.lines.at(-1)).toMatchObject({ msg: 'refused', n: 100 });
  });
});
