import { afterAll, afterEach, beforeAll } from 'vitest';
import type { RoutingConfigInput } from '../../agi-server/src/routing/model.js';
import type { CallRecord } from '../../agi-server/src/store/types.js';
import { startSwitchboard } from '../support/switchboard.js';
import { type Sipp, startPhone } from './lab.js';

/**
 * What most lab test files set up the same way: a Switchboard on the lab's first AGI port with the
 * admin token, a ticking clock set to a chosen instant (tests own their clock), the SIPp phones a
 * test starts (stopped after each test), the admin API and the latest call-log row.
 */

export const LAB_TOKEN = `sb_${'lab'.repeat(12)}`;
/** Monday 10:00 in Chicago: the sample schedule is open. */
export const MONDAY_10_CHICAGO = '2026-11-23T16:00:00Z';

export interface LabSwitchboard {
  /** The running Switchboard (set in beforeAll). */
  readonly started: Awaited<ReturnType<typeof startSwitchboard>>;
  /** Moves "now" for routing to `iso`; it keeps ticking, so call-log durations stay real. */
  setNow(iso: string): void;
  /** A SIPp phone (answers, or only rings), stopped after the test. */
  phone(address: string, scenario?: 'phone-answer' | 'phone-ring'): Sipp;
  /** Any SIPp peer the test wants stopped after it. */
  keep(sipp: Sipp): Sipp;
  api(method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }>;
  latestCall(): Promise<CallRecord | undefined>;
}

/** Registers the hooks (beforeAll, afterEach, afterAll) of one lab test file and returns its handle. */
export function useLabSwitchboard(
  chroot: string,
  options: { seed: RoutingConfigInput; env?: Record<string, string>; at?: string },
): LabSwitchboard {
  let started: Awaited<ReturnType<typeof startSwitchboard>> | undefined;
  let offsetMs = 0;
  let peers: Sipp[] = [];
  const lab: LabSwitchboard = {
    get started() {
      if (!started) throw new Error('the lab Switchboard is not started (used outside a test?)');
      return started;
    },
    setNow(iso) {
      offsetMs = Date.parse(iso) - Date.now();
    },
    phone(address, scenario = 'phone-answer') {
      return lab.keep(startPhone(chroot, address, scenario));
    },
    keep(sipp) {
      peers.push(sipp);
      return sipp;
    },
    async api(method, path, body) {
      const response = await fetch(`${lab.started.apiUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${LAB_TOKEN}`,
          'x-switchboard-author': 'lab-test',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await response.text();
      return { status: response.status, json: text ? JSON.parse(text) : undefined };
    },
    async latestCall() {
      await lab.started.switchboard.callLog.flush();
      const [call] = await lab.started.switchboard.store.listCalls({ limit: 1 });
      return call;
    },
  };
  lab.setNow(options.at ?? MONDAY_10_CHICAGO);
  beforeAll(async () => {
    started = await startSwitchboard({
      seed: options.seed,
      agiPort: 4573,
      clock: () => new Date(Date.now() + offsetMs),
      adminToken: LAB_TOKEN,
      ...(options.env ? { env: options.env } : {}),
    });
  });
  afterEach(async () => {
    await Promise.all(peers.map((peer) => peer.stop()));
    peers = [];
  });
  afterAll(async () => {
    await started?.switchboard.close(1_000);
  });
  return lab;
}
