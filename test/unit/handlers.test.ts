import { afterEach, describe, expect, it } from 'vitest';
import type { Switchboard } from '../../agi-server/src/app.js';
import { dispositionOf } from '../../agi-server/src/call-outcome/dial-status.js';
import { openSqliteStore } from '../../agi-server/src/store/sqlite-store.js';
import { FakeAsterisk } from '../support/fake-asterisk.js';
import { officeConfig } from '../support/routing-fixtures.js';
import { startSwitchboard } from '../support/switchboard.js';

const MONDAY_10_CHICAGO = new Date('2026-11-23T16:00:00Z');
let running: Switchboard | undefined;

afterEach(async () => {
  await running?.close(500);
  running = undefined;
});

async function start(clock = () => MONDAY_10_CHICAGO) {
  const started = await startSwitchboard({ seed: officeConfig, clock, withoutApi: true });
  running = started.switchboard;
  return started;
}

/** Parses `EXEC MSet "A=1,B=2"` back into variables (values here carry no escapes). */
function msetVariables(command: string | undefined): Record<string, string> {
  const match = /^EXEC MSet "(.*)"$/.exec(command ?? '');
  if (!match?.[1]) throw new Error(`not an MSet: ${command}`);
  return Object.fromEntries(match[1].split(',').map((pair) => pair.split('=', 2) as [string, string]));
}

describe('AGI scripts inbound -> next -> hangup, with the call log', () => {
  it('walks a call through ring group, no answer, hunt, answer and hangup; one call-log row', async () => {
    const { agiPort, switchboard } = await start();
    const linkedid = '1763900000.42';
    const inbound = await FakeAsterisk.start(
      agiPort,
      `inbound?did=%2B19863334949&callsid=CA0123456789abcdef0123456789abcdef&linkedid=${linkedid}`,
      { agi_calleridname: 'Ann Lee' },
    );
    const first = msetVariables((await inbound.serve())[0]);
    expect(first).toMatchObject({
      SB_ACTION: 'dial',
      SB_DIAL: 'PJSIP/100&PJSIP/101',
      SB_TIMEOUT: '20',
      SB_ROUTE: 'main',
      SB_PLAN: 'open',
      SB_STEP: '0',
      SB_VERSION: '1',
    });
    expect(first.SB_CALLERID_NAME).toBe('Main: Ann Lee');
    // A channel's first decision sends only what has a value: nothing is set yet to clear.
    expect(Object.values(first)).not.toContain('');
    expect(first).not.toHaveProperty('SB_MAILBOX');

    const next = await FakeAsterisk.start(
      agiPort,
      `next?linkedid=${linkedid}&route=main&plan=open&step=0&dialstatus=NOANSWER`,
    );
    // A later step sends every variable, empty ones too: they clear what the step before set.
    expect(msetVariables((await next.serve())[0])).toMatchObject({
      SB_ACTION: 'dial',
      SB_DIAL: 'PJSIP/102&PJSIP/102-mobile',
      SB_STEP: '1',
      SB_MAILBOX: '',
      SB_REASON: '',
    });

    const answered = await FakeAsterisk.start(
      agiPort,
      `next?linkedid=${linkedid}&route=main&plan=open&step=1&dialstatus=ANSWER`,
    );
    expect(msetVariables((await answered.serve())[0])).toMatchObject({
      SB_ACTION: 'hangup',
      SB_REASON: 'answered',
    });

    const hangup = await FakeAsterisk.start(
      agiPort,
      `hangup?linkedid=${linkedid}&action=hangup&reason=answered&step=1&dialstatus=ANSWER&peer=PJSIP%2F102-mobile-0000000a&answeredms=30000`,
    );
    // The hangup script runs on a dead channel: it sends no command at all.
    expect(await hangup.serve()).toEqual([]);

    await switchboard.callLog.flush();
    const call = await switchboard.store.getCall(linkedid);
    expect(call).toMatchObject({
      callSid: 'CA0123456789abcdef0123456789abcdef',
      did: '+19863334949',
      caller: '+15551230001',
      routeId: 'main',
      routeVersion: 1,
      plan: 'open',
      disposition: 'answered',
      answeredBy: '102',
      steps: [
        { attempt: 0, label: 'ring-group 100,101 for 20s', outcome: 'no-answer' },
        { attempt: 1, label: 'hunt 102 for 10s', outcome: 'answered' },
      ],
    });
    expect(Date.parse(call?.endedAt ?? '') - Date.parse(call?.answeredAt ?? '')).toBe(30_000);
  });

  it('routes by the injected clock: the closed plan at night', async () => {
    const { agiPort } = await start(() => new Date('2026-11-24T04:00:00Z'));
    const inbound = await FakeAsterisk.start(agiPort, 'inbound?did=%2B19863334949&linkedid=9.9');
    expect(msetVariables((await inbound.serve())[0])).toMatchObject({
      SB_ACTION: 'voicemail',
      SB_MAILBOX: '100@default',
      SB_PLAN: 'closed',
    });
  });

  it('sees a configuration change on the very next call', async () => {
    const { agiPort, switchboard } = await start();
    await switchboard.routing.change(
      (config) => ({
        ...config,
        routes: config.routes.map((route) =>
          route.id === 'main'
            ? {
                ...route,
                plans: {
                  open: [{ type: 'extension' as const, extension: '102', timeoutSeconds: 20, advanceOn: [] }],
                },
              }
            : route,
        ),
      }),
      { author: 'test', summary: 'main -> 102' },
    );
    const inbound = await FakeAsterisk.start(agiPort, 'inbound?did=%2B19863334949&linkedid=2.2');
    expect(msetVariables((await inbound.serve())[0])).toMatchObject({
      SB_DIAL: 'PJSIP/102&PJSIP/102-mobile',
      SB_VERSION: '2',
    });
  });

  it('sends a `next` with a forged position to the fallback (bad request, a warning), never a crash', async () => {
    const { agiPort, log } = await start();
    const next = await FakeAsterisk.start(
      agiPort,
      'next?route=..%2Fetc&plan=open&step=0&dialstatus=NOANSWER',
    );
    expect(await next.serve()).toEqual(['SET VARIABLE "SB_AGI_ERROR" "bad-request"']);
    // The PBX side's doing: one warning, no error line (docs/fastagi.md, "Log levels").
    await expect
      .poll(() => log.lines.filter((line) => line.reason === 'bad-request').map((line) => line.level))
      .toEqual([40]);
    expect(log.lines.filter((line) => Number(line.level) >= 50)).toEqual([]);
  });

  it('writes the call log on close (SIGTERM path): nothing queued is lost', async () => {
    const { agiPort, switchboard, dbPath } = await start();
    const calls = await Promise.all(
      Array.from({ length: 20 }, (_, index) =>
        FakeAsterisk.start(agiPort, `inbound?did=%2B19863334949&linkedid=7.${index}`),
      ),
    );
    await Promise.all(calls.map((asterisk) => asterisk.serve()));
    // Straight to close, no flush: the queue must be written by close itself.
    expect(switchboard.callLog.pending).toBeGreaterThan(0);
    await switchboard.close(500);
    running = undefined;
    const reopened = openSqliteStore(dbPath);
    expect(await reopened.listCalls({ limit: 100 })).toHaveLength(20);
    await reopened.close();
  });
});

describe('final disposition', () => {
  it.each([
    ['ANSWER', 'hangup', 'answered', 'answered'],
    [undefined, 'voicemail', '', 'voicemail'],
    [undefined, 'hangup', 'rejected', 'rejected'],
    [undefined, 'hangup', 'unknown-did', 'rejected'],
    ['NOANSWER', 'hangup', 'plan-end', 'unanswered'],
    ['CANCEL', 'dial', '', 'abandoned'],
    [undefined, undefined, undefined, 'failed'],
  ])('DIALSTATUS %s, action %s, reason %s -> %s', (dialStatus, action, reason, expected) => {
    expect(dispositionOf(dialStatus, action, reason)).toBe(expected);
  });
});

describe('inbound: X-SB- signatures from the Twilio edge', () => {
  const SECRET = 'edge-secret-0123456789abcdef0123456789';
  const ACCOUNT = 'AC0123456789abcdef0123456789abcdef';
  const signedQuery = async (
    route: string,
    caller = '+15557654321',
    secret = SECRET,
    at = MONDAY_10_CHICAGO,
  ) => {
    const { signMetadata } = await import('@switchboard/contract');
    const signed = signMetadata({ did: '+19863334949', caller, route }, secret, {
      now: at,
      accountSid: ACCOUNT,
    });
    return `accountsid=${ACCOUNT}&sbdid=${encodeURIComponent(signed.did)}&sbcaller=${encodeURIComponent(signed.caller)}&sbroute=${signed.route}&sbts=${signed.timestamp}&sbnonce=${signed.nonce}&sbsig=${signed.signature}`;
  };

  async function startSigned() {
    const started = await startSwitchboard({
      seed: officeConfig,
      clock: () => MONDAY_10_CHICAGO,
      withoutApi: true,
      headerSecret: SECRET,
    });
    running = started.switchboard;
    return started;
  }

  it('honours a valid signature: the route key and the signed caller choose the route', async () => {
    const { agiPort, switchboard } = await startSigned();
    const asterisk = await FakeAsterisk.start(
      agiPort,
      `inbound?did=%2B19863334949&linkedid=s.1&${await signedQuery('main-vip')}`,
    );
    expect(msetVariables((await asterisk.serve())[0])).toMatchObject({
      SB_ROUTE: 'main-vip',
      SB_DIAL: 'PJSIP/101',
    });
    await switchboard.callLog.flush();
    expect(await switchboard.store.getCall('s.1')).toMatchObject({
      signature: 'valid',
      routeId: 'main-vip',
      caller: '+15557654321',
    });
  });

  it('routes a forged INVITE (bad HMAC) on the DID alone, logs and records the mismatch', async () => {
    const { agiPort, switchboard, log } = await startSigned();
    const forged = (
      await signedQuery('main-vip', '+15557654321', 'forger-secret-0123456789abcdef012345')
    ).replace('sbroute=main-vip', 'sbroute=main-vip');
    const asterisk = await FakeAsterisk.start(agiPort, `inbound?did=%2B19863334949&linkedid=s.2&${forged}`);
    expect(msetVariables((await asterisk.serve())[0])).toMatchObject({
      SB_ROUTE: 'main',
      SB_DIAL: 'PJSIP/100&PJSIP/101',
    });
    await switchboard.callLog.flush();
    expect(await switchboard.store.getCall('s.2')).toMatchObject({ signature: 'invalid', routeId: 'main' });
    expect(log.lines.find((line) => line.event === 'inbound-call')).toMatchObject({
      level: 40,
      signature: 'invalid',
      msg: 'inbound call routed on the DID alone: X-SB- signature not accepted',
    });
  });

  it('treats a replayed (stale) signature like a forged one', async () => {
    const { agiPort } = await startSigned();
    const stale = await signedQuery(
      'main-vip',
      '+15557654321',
      SECRET,
      new Date(MONDAY_10_CHICAGO.getTime() - 600_000),
    );
    const asterisk = await FakeAsterisk.start(agiPort, `inbound?did=%2B19863334949&linkedid=s.3&${stale}`);
    expect(msetVariables((await asterisk.serve())[0])).toMatchObject({ SB_ROUTE: 'main' });
  });

  it('routes an INVITE without X-SB- headers (Elastic SIP Trunking) on the DID, as before', async () => {
    const { agiPort, switchboard } = await startSigned();
    const asterisk = await FakeAsterisk.start(
      agiPort,
      'inbound?did=%2B19863334949&linkedid=s.4&sbdid=&sbcaller=&sbroute=&sbts=&sbsig=',
    );
    expect(msetVariables((await asterisk.serve())[0])).toMatchObject({ SB_ROUTE: 'main' });
    await switchboard.callLog.flush();
    expect(await switchboard.store.getCall('s.4')).toMatchObject({ signature: 'absent' });
  });
});
