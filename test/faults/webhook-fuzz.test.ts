import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { afterDial } from '../../functions/src/lib/fallback.js';
import { inboundCall } from '../../functions/src/lib/inbound.js';
import { outboundCall } from '../../functions/src/lib/outbound.js';
import {
  dialActionParamsSchema,
  inboundParamsSchema,
  voiceParamsSchema,
} from '../../functions/src/lib/params.js';
import { runWebhook, type WebhookRequest } from '../../functions/src/lib/webhook.js';
import { sign, TEST_ACCOUNT_SID, TEST_AUTH_TOKEN, voiceWebhookParams } from '../support/twilio-signing.js';
import { RssSampler } from './rss-sampler.js';

/**
 * ≥ 1,000 forged or tampered webhook requests to the Functions' guard (the code every webhook
 * runs before its handler), generated with fast-check: no signature, random signatures, a
 * signature over other parameters, another URL or another auth token, another account. Each
 * must be refused with 403 and plain text, never answered with TwiML (the Functions keep no
 * state: TwiML is the only effect a request can have).
 */

const SEED = 20261125;
const DOMAIN = 'switchboard-1234-dev.twil.io';
const env = {
  ACCOUNT_SID: TEST_ACCOUNT_SID,
  AUTH_TOKEN: TEST_AUTH_TOKEN,
  SB_HEADER_SECRET: 'fuzz-secret-0123456789abcdef0123456789',
  PBX_HOST: 'pbx.acme.test:5060',
  FALLBACK_NUMBER: '+15550009999',
  OWNED_NUMBERS: '+19863334949',
  DEFAULT_CALLER_ID: '+19863334949',
};

const WEBHOOKS = {
  '/inbound-call': (request: WebhookRequest) =>
    runWebhook('inbound-call', inboundParamsSchema, inboundCall, request),
  '/dial-status': (request: WebhookRequest) =>
    runWebhook(
      'dial-status',
      dialActionParamsSchema,
      (config, params, now) => afterDial('primary', config, params, now),
      request,
    ),
  '/outbound-call': (request: WebhookRequest) =>
    runWebhook('outbound-call', voiceParamsSchema, outboundCall, request),
} as const;
type Path = keyof typeof WEBHOOKS;

/** Hostile values a refusal must never repeat (in its body or its log line). */
const ECHO_PROBES = [
  '${SHELL(id)}',
  '<Dial><Number>+19005550100</Number></Dial>',
  'sip:evil@x?X-SB-Route=vip',
];

const hostile = fc.oneof(fc.string({ maxLength: 80 }), fc.constantFrom(...ECHO_PROBES, '\u0000', '%'));

interface Forgery {
  readonly path: Path;
  readonly how: string;
  readonly params: Record<string, string>;
  readonly signature: string | undefined;
}

const forgery: fc.Arbitrary<Forgery> = fc
  .record({
    path: fc.constantFrom(...(Object.keys(WEBHOOKS) as Path[])),
    how: fc.constantFrom(
      'unsigned',
      'random',
      'tampered',
      'other-url',
      'other-token',
      'other-account',
      'truncated',
    ),
    extra: fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }), hostile, { maxKeys: 4 }),
    field: fc.constantFrom('To', 'From', 'CallSid', 'DialCallStatus', 'AccountSid'),
    value: hostile,
    random: fc.base64String({ minLength: 4, maxLength: 44 }),
  })
  .map(({ path, how, extra, field, value, random }) => {
    const params = { ...voiceWebhookParams({ DialCallStatus: 'no-answer' }), ...extra };
    const url = `https://${DOMAIN}${path}`;
    switch (how) {
      case 'unsigned':
        return { path, how, params, signature: undefined };
      case 'random':
        return { path, how, params, signature: random };
      case 'tampered':
        // Signed as sent by Twilio, then one field changed on the way.
        return {
          path,
          how,
          params: { ...params, [field]: `${params[field] ?? ''}${value}x` },
          signature: sign(url, params),
        };
      case 'other-url':
        return { path, how, params, signature: sign(`https://evil.example.com${path}`, params) };
      case 'other-token':
        return { path, how, params, signature: sign(url, params, 'another-auth-token-0123456789abcd') };
      case 'truncated':
        return { path, how, params, signature: sign(url, params).slice(0, -2) };
      default: {
        // Another Twilio account's request, signed with its own token.
        const theirs = { ...params, AccountSid: 'ACffffffffffffffffffffffffffffffff' };
        return {
          path,
          how,
          params: theirs,
          signature: sign(url, theirs, 'their-auth-token-0123456789abcdef'),
        };
      }
    }
  });

afterEach(() => {
  vi.restoreAllMocks();
});

describe('webhook fuzz: forged and tampered requests', () => {
  it('refuses 1,000 forged webhooks with 403 and never answers them with TwiML', () => {
    // Each refusal logs a warning (the Functions log to the console): counted, not printed.
    const warnings = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const forgeries = fc.sample(forgery, { numRuns: 1_000, seed: SEED });
    const rss = new RssSampler();
    const statuses: Record<string, number> = {};
    const answered: string[] = [];
    for (const forged of forgeries) {
      const result = WEBHOOKS[forged.path]({
        env,
        domainName: DOMAIN,
        path: forged.path,
        params: forged.params,
        signature: forged.signature,
        now: new Date(),
      });
      statuses[`${forged.how} ${result.status}`] = (statuses[`${forged.how} ${result.status}`] ?? 0) + 1;
      if (
        result.status !== 403 ||
        result.contentType !== 'text/plain' ||
        result.body.includes('<') ||
        ECHO_PROBES.some((probe) => result.body.includes(probe))
      )
        answered.push(`${forged.how} ${forged.path} -> ${result.status} ${result.body.slice(0, 80)}`);
      rss.sample();
    }
    console.info(
      `webhook fuzz: ${JSON.stringify({ requests: forgeries.length, statuses, answered: answered.length, maxRssMiB: rss.maxMiB })}`,
    );
    expect(answered.slice(0, 5)).toEqual([]);
    // One bounded warning per refusal, naming the webhook, never repeating what was sent.
    expect(warnings).toHaveBeenCalledTimes(forgeries.length);
    const lines = warnings.mock.calls.map((args) => args.map((arg) => JSON.stringify(arg)).join(' '));
    expect(lines.filter((line) => line.length > 400).slice(0, 3)).toEqual([]);
    expect(lines.filter((line) => ECHO_PROBES.some((probe) => line.includes(probe))).slice(0, 3)).toEqual([]);

    // And the guard still answers Twilio's own request with the call's TwiML.
    const genuine = voiceWebhookParams();
    const result = WEBHOOKS['/inbound-call']({
      env,
      domainName: DOMAIN,
      path: '/inbound-call',
      params: genuine,
      signature: sign(`https://${DOMAIN}/inbound-call`, genuine),
      now: new Date(),
    });
    expect(result).toMatchObject({ status: 200, contentType: 'text/xml' });
    expect(result.body).toContain('<Sip');
  });
});
