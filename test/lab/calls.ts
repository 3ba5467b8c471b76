import { randomBytes } from 'node:crypto';
import { Sipp, type SippResult } from './lab.js';

/** "Twilio" placing calls to lab Asterisk from 127.0.0.1:5070. */

export function newCallSid(): string {
  return `CA${randomBytes(16).toString('hex')}`;
}

export function callFromTwilio(
  chroot: string,
  options: {
    did: string;
    callSid?: string;
    scenario?: string;
    calls?: number;
    rate?: number;
    durationMs?: number;
    caller?: string;
    traceRtt?: boolean;
    timeoutSeconds?: number;
    /** Another local port, for two "Twilio" callers at once (same address: both are Twilio). */
    port?: number;
  },
): Promise<SippResult> {
  return new Sipp(chroot, {
    scenario: options.scenario ?? 'twilio-call',
    address: '127.0.0.1',
    port: options.port ?? 5070,
    remote: '127.0.0.1:5060',
    service: options.did,
    keys: { caller: options.caller ?? '+15551230001', callsid: options.callSid ?? newCallSid() },
    calls: options.calls ?? 1,
    rate: options.rate ?? 10,
    durationMs: options.durationMs ?? 300,
    timeoutSeconds: options.timeoutSeconds ?? 60,
    ...(options.traceRtt ? { traceRtt: true } : {}),
  }).done;
}

export const errorsIn = (lines: Array<Record<string, unknown>>) =>
  lines.filter((line) => Number(line.level) >= 50);
