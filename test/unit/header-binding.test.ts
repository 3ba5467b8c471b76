import { type SignedMetadata, signMetadata } from '@switchboard/contract';
import { afterEach, describe, expect, it } from 'vitest';
import type { Switchboard } from '../../agi-server/src/app.js';
import { FakeAsterisk } from '../support/fake-asterisk.js';
import { officeConfig } from '../support/routing-fixtures.js';
import { startSwitchboard } from '../support/switchboard.js';

/**
 * The real clock throughout: the replay cache keeps a nonce until its header set's window ends,
 * by the store's own clock. Route ids are asserted, which do not depend on the hour.
 *
 * A header set captured from one call and replayed on others, through the real AGI protocol:
 * the signature binds it to the DID, our Twilio account and one call (see docs/sip-headers.md).
 */

const SECRET = 'edge-secret-0123456789abcdef0123456789';
const OURS = 'AC0123456789abcdef0123456789abcdef';
const THEIRS = 'ACfedcba9876543210fedcba9876543210';
const DID_A = '+19863334949';
const DID_B = '+19863334950';
let running: Switchboard | undefined;

afterEach(async () => {
  await running?.close(500);
  running = undefined;
});

/** The AGI request of an INVITE: its own DID, CallSid and account, plus the X-SB- headers. */
function inboundRequest(
  call: { did: string; callSid: string; linkedId: string; account: string },
  headers: SignedMetadata,
) {
  const query = new URLSearchParams({
    did: call.did,
    callsid: call.callSid,
    linkedid: call.linkedId,
    accountsid: call.account,
    sbdid: headers.did,
    sbcaller: headers.caller,
    sbroute: headers.route,
    sbts: String(headers.timestamp),
    sbnonce: headers.nonce,
    sbsig: headers.signature,
  });
  // URIENCODE() style: %20 for a space, never `+`.
  return `inbound?${query.toString().replaceAll('+', '%20')}`;
}

async function route(agiPort: number, script: string): Promise<Record<string, string>> {
  const commands = await (await FakeAsterisk.start(agiPort, script)).serve();
  const match = /^EXEC MSet "(.*)"$/.exec(commands[0] ?? '');
  if (!match?.[1]) throw new Error(`not an MSet: ${commands[0]}`);
  return Object.fromEntries(match[1].split(',').map((pair) => pair.split('=', 2) as [string, string]));
}

describe('signed X-SB- headers are bound to the call', () => {
  it('honours a header set once, on its own DID, for our account only', async () => {
    const started = await startSwitchboard({
      seed: officeConfig,
      withoutApi: true,
      headerSecret: SECRET,
      env: { SB_TWILIO_ACCOUNT_SID: OURS },
    });
    running = started.switchboard;
    const { agiPort, switchboard } = started;
    const captured = signMetadata({ did: DID_A, caller: '+15557654321', route: 'main-vip' }, SECRET, {
      now: new Date(),
      accountSid: OURS,
    });
    const callA = { did: DID_A, callSid: `CA${'a'.repeat(32)}`, linkedId: 'a.1', account: OURS };

    // Call A itself: the edge's route choice is honoured (and again if Asterisk retries the request).
    expect(await route(agiPort, inboundRequest(callA, captured))).toMatchObject({ SB_ROUTE: 'main-vip' });
    expect(await route(agiPort, inboundRequest(callA, captured))).toMatchObject({ SB_ROUTE: 'main-vip' });

    // Replayed on call B (another DID, another CallSid): B is routed on its own DID.
    const callB = { did: DID_B, callSid: `CA${'b'.repeat(32)}`, linkedId: 'b.1', account: OURS };
    expect(await route(agiPort, inboundRequest(callB, captured))).toMatchObject({ SB_ROUTE: 'nights' });

    // Replayed on a second call to A's DID: the route choice in it is not honoured.
    const callA2 = { did: DID_A, callSid: `CA${'c'.repeat(32)}`, linkedId: 'a.2', account: OURS };
    expect(await route(agiPort, inboundRequest(callA2, captured))).toMatchObject({ SB_ROUTE: 'main' });

    // A fresh header set, sent through another Twilio account: not honoured.
    const fresh = signMetadata({ did: DID_A, caller: '+15557654321', route: 'main-vip' }, SECRET, {
      now: new Date(),
      accountSid: OURS,
    });
    const callX = { did: DID_A, callSid: `CA${'d'.repeat(32)}`, linkedId: 'x.1', account: THEIRS };
    expect(await route(agiPort, inboundRequest(callX, fresh))).toMatchObject({ SB_ROUTE: 'main' });
    // Signed by someone for their own account (they do not have our secret): not honoured either.
    const theirs = signMetadata(
      { did: DID_A, caller: '+15557654321', route: 'main-vip' },
      'their-secret-0123456789abcdef0123456',
      {
        now: new Date(),
        accountSid: THEIRS,
      },
    );
    const callY = { did: DID_A, callSid: `CA${'e'.repeat(32)}`, linkedId: 'y.1', account: THEIRS };
    expect(await route(agiPort, inboundRequest(callY, theirs))).toMatchObject({ SB_ROUTE: 'main' });

    await switchboard.callLog.flush();
    const rows = Object.fromEntries(
      await Promise.all(
        ['a.1', 'b.1', 'a.2', 'x.1', 'y.1'].map(async (id) => {
          const call = await switchboard.store.getCall(id);
          return [id, { did: call?.did, routeId: call?.routeId, signature: call?.signature }];
        }),
      ),
    );
    expect(rows).toEqual({
      'a.1': { did: DID_A, routeId: 'main-vip', signature: 'valid' },
      'b.1': { did: DID_B, routeId: 'nights', signature: 'wrong-did' },
      'a.2': { did: DID_A, routeId: 'main', signature: 'replayed' },
      'x.1': { did: DID_A, routeId: 'main', signature: 'wrong-account' },
      'y.1': { did: DID_A, routeId: 'main', signature: 'wrong-account' },
    });
    const metrics = await switchboard.metrics.registry.getSingleMetricAsString(
      'switchboard_header_signatures_total',
    );
    expect(metrics).toContain('switchboard_header_signatures_total{status="replayed"} 1');
    expect(metrics).toContain('switchboard_header_signatures_total{status="valid"} 2');
  });

  it('records the DID in E.164 and an unrecognised CallSid as received, sanitised', async () => {
    const started = await startSwitchboard({
      seed: officeConfig,
      withoutApi: true,
    });
    running = started.switchboard;
    const { agiPort, switchboard } = started;
    await route(agiPort, 'inbound?did=9863334950&callsid=not%20a%20%3Csid%3E%3B&linkedid=e.1');
    await switchboard.callLog.flush();
    expect(await switchboard.store.getCall('e.1')).toMatchObject({
      did: DID_B,
      callSid: 'notasid',
      note: 'unrecognised X-Twilio-CallSid kept as received (sanitised)',
    });
    expect(
      (await switchboard.store.listCalls({ did: DID_B, limit: 10 })).map((call) => call.linkedId),
    ).toEqual(['e.1']);
  });
});
