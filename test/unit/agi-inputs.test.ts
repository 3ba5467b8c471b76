import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { agiInput, DIAL_STATUSES } from '../../agi-server/src/handlers/agi-inputs.js';

/**
 * Each AGI input's plain check (what the handlers run per call) must give exactly what its zod
 * schema gives, for valid values, near misses and anything at all.
 */

const samples: Record<keyof typeof agiInput, string[]> = {
  did: ['+19863334949', '9863334949', '12', '+1986333494912345678', '+1 986', ''],
  callSid: [`CA${'0a'.repeat(16)}`, `CA${'0A'.repeat(16)}`, `CA${'0'.repeat(31)}`],
  accountSid: [`AC${'0123456789abcdef'.repeat(2)}`, `AC${'g'.repeat(32)}`],
  linkedId: ['1763900000.12', 'a'.repeat(64), 'a'.repeat(65), 'x y', 'é'],
  route: ['sales', 'main-line', '-x', 'a'.repeat(200), 'outbound'],
  plan: ['open', 'closed', 'holiday', 'Open', 'opened'],
  step: ['0', '12', '9999', '10000', '-1', '1.5', ' 1'],
  dialStatus: [...DIAL_STATUSES, 'answer', 'ANSWERED'],
  peer: ['PJSIP/101-0000000a', 'PJSIP/101-0000000A', 'SIP/101-0000000a', 'PJSIP/-0000000a'],
  answeredMs: ['0', '1234567890', '12345678901', '1e3'],
  action: ['dial', 'voicemail', 'hangup', 'menu', 'DIAL', 'busy'],
  reason: ['unknown-did', 'rejected', 'blocked', 'plan-end', 'answered', 'not-advanced', 'denied', 'other'],
  endpoint: ['101', 'alice.desk', 'a b', 'a'.repeat(65)],
  dialled: ['+4930123456', '*97', '#31#0123', '12a', ''],
  extension: ['10', '123456', '1', '1234567'],
  number: ['+4930123456', '00493012', 'x'],
  digits: ['2', '101', '*#', '1234567', '', 'a'],
  readStatus: ['OK', 'TIMEOUT', 'HANGUP', 'ok', 'DONE'],
  textBody: [
    Buffer.from('Ünï ✓ 👋', 'utf8').toString('base64'),
    'QQ==',
    'QUI=',
    '',
    'QQ=',
    'a b=',
    '${SHELL(id)}',
    'A'.repeat(4100),
  ],
};

function viaZod(input: (typeof agiInput)[keyof typeof agiInput], raw: string): unknown {
  const parsed = input.schema.safeParse(raw);
  return parsed.success ? parsed.data : undefined;
}

describe('AGI inputs: the plain checks agree with the zod schemas', () => {
  for (const [name, input] of Object.entries(agiInput) as Array<
    [keyof typeof agiInput, (typeof agiInput)[keyof typeof agiInput]]
  >) {
    it(name, () => {
      for (const raw of samples[name]) expect(input.parse(raw), raw).toEqual(viaZod(input, raw));
      // Valid values pass both ways; near misses and noise fail both ways.
      expect(samples[name].some((raw) => input.parse(raw) !== undefined)).toBe(true);
      expect(samples[name].some((raw) => input.parse(raw) === undefined)).toBe(true);
      fc.assert(
        fc.property(
          fc.oneof(
            fc.string(),
            fc.stringMatching(/^[A-Za-z0-9+*#./_-]{0,40}$/),
            fc
              .constantFrom(...samples[name])
              .chain((raw) =>
                fc
                  .tuple(fc.nat(raw.length), fc.string({ maxLength: 2 }))
                  .map(([at, extra]) => raw.slice(0, at) + extra + raw.slice(at)),
              ),
          ),
          (raw) => {
            expect(input.parse(raw)).toEqual(viaZod(input, raw));
          },
        ),
        { seed: 16, numRuns: 2_000 },
      );
    });
  }
});
