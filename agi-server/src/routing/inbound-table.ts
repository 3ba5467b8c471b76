import { z } from 'zod';
import { type DialString, dialStringSchema } from './dial-string.js';

/**
 * The minimal inbound route table: DID -> dial target. Pure data and a pure lookup; the route
 * store (versioned, schedules, plans) replaces it.
 */

const e164 = z.string().regex(/^\+[1-9]\d{1,14}$/, 'must be an E.164 number such as +19863334949');
const timeoutSeconds = z.number().int().min(1).max(600);

const unknownDidSchema = z.discriminatedUnion('action', [
  z.object({ action: z.literal('reject') }).strict(),
  z
    .object({ action: z.literal('dial'), dial: dialStringSchema, timeoutSeconds: timeoutSeconds.default(30) })
    .strict(),
]);

export const inboundTableSchema = z
  .object({
    /** What happens to a call for a DID no route names: rejected (404) unless configured. */
    unknownDid: unknownDidSchema.default({ action: 'reject' }),
    routes: z
      .array(
        z
          .object({
            did: e164,
            dial: dialStringSchema,
            timeoutSeconds: timeoutSeconds.default(30),
          })
          .strict(),
      )
      .superRefine((routes, ctx) => {
        const seen = new Set<string>();
        routes.forEach((route, index) => {
          if (seen.has(route.did)) {
            ctx.addIssue({ code: 'custom', path: [index, 'did'], message: `duplicate DID ${route.did}` });
          }
          seen.add(route.did);
        });
      }),
  })
  .strict();

export type InboundTable = z.infer<typeof inboundTableSchema>;

export type InboundDecision =
  | {
      readonly action: 'dial';
      readonly dial: DialString;
      readonly timeoutSeconds: number;
      readonly matched: boolean;
    }
  | { readonly action: 'reject'; readonly reason: 'unknown-did' };

export function decideInbound(table: InboundTable, did: string | undefined): InboundDecision {
  const route = did === undefined ? undefined : table.routes.find((candidate) => candidate.did === did);
  if (route) return { action: 'dial', dial: route.dial, timeoutSeconds: route.timeoutSeconds, matched: true };
  if (table.unknownDid.action === 'dial') {
    return {
      action: 'dial',
      dial: table.unknownDid.dial,
      timeoutSeconds: table.unknownDid.timeoutSeconds,
      matched: false,
    };
  }
  return { action: 'reject', reason: 'unknown-did' };
}
