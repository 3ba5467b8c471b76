import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * Real Asterisk 22's side of FastAGI sessions, recorded in the lab by test/lab/asterisk-wire.test.ts
 * (which checks on every lab run that Asterisk still sends and answers the same way; with
 * SWITCHBOARD_RECORD_WIRE=1 it records the fixture again). fake-asterisk.ts replays it.
 */
export interface AsteriskWire {
  /** agi_version of the Asterisk that was recorded. */
  readonly recordedWith: string;
  readonly sessions: ReadonlyArray<{
    /** The AGI script the dialplan asked for (`inbound`, `hangup`). */
    readonly script: string;
    /** The environment block, in the order Asterisk sent it. */
    readonly env: ReadonlyArray<readonly [string, string]>;
    /** Each command sent and Asterisk's whole reply (a 520 usage reply is several lines). */
    readonly replies: ReadonlyArray<{ readonly command: string; readonly reply: readonly string[] }>;
  }>;
}

export const ASTERISK_WIRE_FIXTURE = fileURLToPath(new URL('asterisk-22-wire.json', import.meta.url));

export function loadAsteriskWire(): AsteriskWire {
  return JSON.parse(readFileSync(ASTERISK_WIRE_FIXTURE, 'utf8')) as AsteriskWire;
}
