import {
  DEFAULT_BLOCKED_PREFIXES,
  DEFAULT_EMERGENCY_NUMBERS,
  EXTENSION,
  PREFIX,
} from '@switchboard/contract';
import { z } from 'zod';
import {
  countrySchema,
  e164Schema,
  endpointName,
  idSchema,
  safeLabel,
  timeoutSeconds,
} from './model-fields.js';

/**
 * The outbound part of the routing model: policies, trunks, owned numbers and emergency routing,
 * and the checks that tie them together and to the extensions. `model.ts` composes it into the
 * whole document.
 */

const prefixSchema = z.string().regex(PREFIX, 'a + followed by digits, such as +1900');

export const outboundPolicySchema = z
  .object({
    id: idSchema,
    /** internal: extensions only; national: the default country; countries: those listed too; international: anywhere not blocked. */
    allow: z.enum(['internal', 'national', 'countries', 'international']).default('national'),
    countries: z.array(countrySchema).default([]),
    blockedPrefixes: z.array(prefixSchema).default([...DEFAULT_BLOCKED_PREFIXES]),
    callsPerMinute: z.number().int().min(1).max(600).default(10),
    maxConcurrent: z.number().int().min(1).max(100).default(2),
    /** Trunks to use, in order; default: every trunk in the order listed. */
    trunks: z.array(idSchema).optional(),
  })
  .strict();
export type OutboundPolicy = z.infer<typeof outboundPolicySchema>;

export const trunkSchema = z
  .object({
    id: idSchema,
    /** The PJSIP endpoint (asterisk-config renders it; its contact keeps the *.pstn.twilio.com name). */
    endpoint: endpointName,
    name: safeLabel(40).default(''),
  })
  .strict();
export type Trunk = z.infer<typeof trunkSchema>;

export const outboundSchema = z
  .object({
    /** Digit dialled before an outside number (9 + number); empty for none. */
    outsidePrefix: z.string().regex(/^\d?$/).default('9'),
    /** Numbers you own at Twilio: the only caller IDs ever presented. */
    ownedNumbers: z.array(e164Schema).default([]),
    defaultCallerId: e164Schema.optional(),
    trunks: z.array(trunkSchema).default([]),
    /** Always allowed, whatever the policy or limits, routed through `emergencyTrunks`. */
    emergencyNumbers: z.array(z.string().regex(EXTENSION)).default([...DEFAULT_EMERGENCY_NUMBERS]),
    emergencyTrunks: z.array(idSchema).optional(),
    policies: z.array(outboundPolicySchema).prefault([{ id: 'default' }]),
    defaultPolicy: idSchema.default('default'),
    ringTimeoutSeconds: timeoutSeconds.default(60),
  })
  .strict();
export type OutboundConfig = z.infer<typeof outboundSchema>;

/** What the outbound checks read of the whole document (structural: no import of model.ts). */
interface OutboundDocument {
  readonly outbound: OutboundConfig;
  readonly extensions: readonly { readonly outboundCallerId?: string; readonly outboundPolicy?: string }[];
}

export function checkOutbound(config: OutboundDocument, extensions: Set<string>, ctx: z.RefinementCtx): void {
  const { outbound } = config;
  const owned = new Set(outbound.ownedNumbers);
  const trunks = new Set(outbound.trunks.map((trunk) => trunk.id));
  const policies = new Set(outbound.policies.map((policy) => policy.id));
  const at = (...path: (string | number)[]) => ['outbound', ...path];
  if (outbound.defaultCallerId && !owned.has(outbound.defaultCallerId)) {
    ctx.addIssue({
      code: 'custom',
      path: at('defaultCallerId'),
      message: 'must be one of outbound.ownedNumbers',
    });
  }
  if (!policies.has(outbound.defaultPolicy))
    ctx.addIssue({ code: 'custom', path: at('defaultPolicy'), message: 'unknown policy' });
  outbound.policies.forEach((policy, index) => {
    policy.trunks?.forEach((trunk, t) => {
      if (!trunks.has(trunk))
        ctx.addIssue({
          code: 'custom',
          path: at('policies', index, 'trunks', t),
          message: `unknown trunk ${trunk}`,
        });
    });
  });
  outbound.emergencyTrunks?.forEach((trunk, t) => {
    if (!trunks.has(trunk))
      ctx.addIssue({ code: 'custom', path: at('emergencyTrunks', t), message: `unknown trunk ${trunk}` });
  });
  for (const number of outbound.emergencyNumbers) {
    if (extensions.has(number))
      ctx.addIssue({
        code: 'custom',
        path: at('emergencyNumbers'),
        message: `${number} is also an extension`,
      });
  }
  config.extensions.forEach((extension, index) => {
    if (extension.outboundCallerId && !owned.has(extension.outboundCallerId)) {
      ctx.addIssue({
        code: 'custom',
        path: ['extensions', index, 'outboundCallerId'],
        message: 'must be one of outbound.ownedNumbers',
      });
    }
    if (extension.outboundPolicy && !policies.has(extension.outboundPolicy)) {
      ctx.addIssue({
        code: 'custom',
        path: ['extensions', index, 'outboundPolicy'],
        message: 'unknown policy',
      });
    }
  });
}
