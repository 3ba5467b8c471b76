import { signMetadata, sipUriFor } from '@switchboard/contract';
import twilio from 'twilio';
import { inboundCall } from '../../functions/src/lib/inbound.js';
import { inboundParamsSchema } from '../../functions/src/lib/params.js';
import { runWebhook } from '../../functions/src/lib/webhook.js';

/**
 * The Twilio inbound Function's handler in-process: invocations/s and p99, beside a floor that
 * builds the same TwiML with no signature check, no validation and no HMAC.
 */

const AUTH_TOKEN = 'bench-auth-token-0123456789abcdef';
const env = {
  ACCOUNT_SID: 'AC00000000000000000000000000000001',
  AUTH_TOKEN,
  SB_HEADER_SECRET: 'bench-header-secret-0123456789abcdef0123',
  PBX_HOST: 'pbx.acme.test:5060',
};
const params = {
  AccountSid: env.ACCOUNT_SID,
  ApiVersion: '2010-04-01',
  CallSid: 'CA0123456789abcdef0123456789abcdef',
  CallStatus: 'ringing',
  Direction: 'inbound',
  From: '+15551230001',
  To: '+19863334949',
  Caller: '+15551230001',
  Called: '+19863334949',
};
const signature = twilio.getExpectedTwilioSignature(
  AUTH_TOKEN,
  'https://switchboard-1234-dev.twil.io/inbound-call',
  params,
);

function floor(): string {
  const response = new twilio.twiml.VoiceResponse();
  const signed = {
    did: params.To,
    caller: params.From,
    route: '',
    timestamp: 1_795_000_000,
    nonce: 'n'.repeat(22),
    accountSid: env.ACCOUNT_SID,
    signature: 'x'.repeat(43),
  };
  response
    .dial({ answerOnBridge: true, action: '/dial-status', timeout: 30 })
    .sip(sipUriFor({ did: params.To, host: env.PBX_HOST, transport: 'udp' }, signed));
  return response.toString();
}

function full(): string {
  const result = runWebhook('inbound-call', inboundParamsSchema, inboundCall, {
    env,
    domainName: 'switchboard-1234-dev.twil.io',
    path: '/inbound-call',
    params,
    signature,
    now: new Date(),
  });
  if (result.status !== 200) throw new Error(`unexpected ${result.status}`);
  return result.body;
}

function measure(work: () => string, iterations: number): { perSecond: number; p50: number; p99: number } {
  for (let i = 0; i < 2_000; i++) work(); // warm-up
  const times = new Float64Array(iterations);
  const started = performance.now();
  for (let i = 0; i < iterations; i++) {
    const t0 = performance.now();
    work();
    times[i] = performance.now() - t0;
  }
  const elapsed = (performance.now() - started) / 1000;
  times.sort();
  return {
    perSecond: iterations / elapsed,
    p50: times[Math.floor(iterations * 0.5)] ?? 0,
    p99: times[Math.floor(iterations * 0.99)] ?? 0,
  };
}

export function functionBench(iterations = 20_000): string[] {
  // Both sides sign the same way: check the full path works before timing it.
  if (
    !full().includes('X-SB-Sig=') ||
    !signMetadata({ did: '+19863334949', caller: 'x', route: '' }, env.SB_HEADER_SECRET, {
      now: new Date(),
      accountSid: env.ACCOUNT_SID,
    })
  )
    throw new Error('inbound-call did not answer as expected');
  const rows = [
    ['floor (TwiML only)', measure(floor, iterations)],
    ['inbound-call (signature, zod, HMAC, TwiML)', measure(full, iterations)],
  ] as const;
  const base = rows[0][1].perSecond;
  return [
    `Twilio inbound Function, in-process: ${iterations} invocations per row`,
    ...rows.map(
      ([name, r]) =>
        `  ${name.padEnd(44)} ${r.perSecond.toFixed(0).padStart(7)}/s  p50 ${(r.p50 * 1000).toFixed(0).padStart(4)} µs  p99 ${(r.p99 * 1000).toFixed(0).padStart(5)} µs  (${(r.perSecond / base).toFixed(2)}x floor throughput)`,
    ),
  ];
}
