import { connect } from 'node:net';

/**
 * Plays Asterisk 22's side of FastAGI (see docs/fastagi.md) as fast as the server allows: connect, send the
 * env block, answer every command line with `200 result=0`, until the server closes. Latency is
 * connect -> close, per session.
 */

export interface LoadResult {
  readonly sessions: number;
  readonly failures: number;
  readonly seconds: number;
  readonly latenciesMs: Float64Array;
}

export function envBlock(script: string, uniqueId: string): string {
  return [
    'agi_network: yes',
    `agi_network_script: ${script}`,
    `agi_request: agi://127.0.0.1/${script}`,
    `agi_channel: PJSIP/twilio-${uniqueId}`,
    'agi_language: en',
    'agi_type: PJSIP',
    `agi_uniqueid: ${uniqueId}`,
    'agi_version: 22.10.1',
    'agi_callerid: +15551230001',
    'agi_calleridname: Ann Lee',
    'agi_callingpres: 0',
    'agi_callingani2: 0',
    'agi_callington: 0',
    'agi_callingtns: 0',
    'agi_dnid: unknown',
    'agi_rdnis: unknown',
    'agi_context: from-twilio',
    'agi_extension: +19863334949',
    'agi_priority: 4',
    'agi_enhanced: 0.0',
    'agi_accountcode: ',
    'agi_threadid: 139872360756928',
    '',
    '',
  ].join('\n');
}

function oneSession(port: number, script: string, uniqueId: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const socket = connect({ host: '127.0.0.1', port, noDelay: true });
    let buffer = '';
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(envBlock(script, uniqueId)));
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      let newline = buffer.indexOf('\n');
      while (newline !== -1) {
        buffer = buffer.slice(newline + 1);
        socket.write('200 result=0\n');
        newline = buffer.indexOf('\n');
      }
    });
    socket.on('error', reject);
    socket.on('close', (hadError) =>
      hadError ? reject(new Error('socket error')) : resolve(performance.now() - started),
    );
  });
}

/** Runs `total` sessions, `concurrency` at a time; `script(i)` names each session's script. */
export async function runLoad(
  port: number,
  total: number,
  concurrency: number,
  script: (index: number) => string,
): Promise<LoadResult> {
  const latencies = new Float64Array(total);
  let next = 0;
  let failures = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < total) {
      const index = next++;
      try {
        latencies[index] = await oneSession(port, script(index), `1763900000.${index}`);
      } catch {
        failures++;
        latencies[index] = Number.NaN;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { sessions: total, failures, seconds: (performance.now() - started) / 1000, latenciesMs: latencies };
}
