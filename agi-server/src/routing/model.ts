import {
  DEFAULT_EDGE_DIAL_TIMEOUT_SECONDS,
  EDGE_MARGIN_SECONDS,
  MIN_EDGE_DIAL_TIMEOUT_SECONDS,
  TWILIO_MAX_DIAL_TIMEOUT_SECONDS,
  toE164,
} from '@switchboard/contract';
import type { CountryCode } from 'libphonenumber-js';
import { z } from 'zod';
import { blocklistSchema, checkBlocklist } from './blocklist-model.js';
import { checkFollowMe, followMeRing, followMeSchema } from './follow-me-model.js';
import { checkMenus, menuStepSchema } from './menu-model.js';
import { checkMessaging, messagingSchema } from './messaging-model.js';
import {
  checkUnique,
  countrySchema,
  e164Schema,
  endpointName,
  extensionNumber,
  idSchema,
  safeLabel,
  soundName,
  timeoutSeconds,
} from './model-fields.js';
import { checkOutbound, outboundSchema } from './outbound-model.js';
import { checkRecording, recordingSchema } from './recording-model.js';
import { edgeCutReason, planRingTime } from './ring-time.js';

/**
 * The routing configuration: one document (extensions, schedules, inbound routes, settings, and
 * the outbound section from `outbound-model.ts`) that the API, the store and the router all use.
 * Every change to it is a new version. This file holds the inbound parts and the whole document's
 * cross-reference checks.
 */

export const OUTCOMES = ['no-answer', 'busy', 'unavailable', 'failed'] as const;
export const outcomeSchema = z.enum(OUTCOMES);
export type Outcome = z.infer<typeof outcomeSchema>;

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** The one message for a number that cannot be a DID: the store's, the API's and explain's. */
export function notAPhoneNumber(value: string): string {
  return `not a phone number: ${value}`;
}

const timeOfDay = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'HH:MM, 00:00 to 24:00');
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD');

const timeZone = z.string().refine((zone) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}, 'must be an IANA time zone such as America/Chicago');

const ringing = {
  timeoutSeconds: timeoutSeconds.default(20),
  /** Outcomes that move the call to the next step; any other ends the call. */
  advanceOn: z.array(outcomeSchema).default([...OUTCOMES]),
};

export const stepSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('extension'), extension: extensionNumber, ...ringing }).strict(),
  z
    .object({
      type: z.literal('ring-group'),
      extensions: z.array(extensionNumber).min(1).max(32),
      ...ringing,
    })
    .strict(),
  /** One member after another, each for timeoutSeconds. */
  z
    .object({ type: z.literal('hunt'), extensions: z.array(extensionNumber).min(1).max(32), ...ringing })
    .strict(),
  z.object({ type: z.literal('voicemail'), mailbox: extensionNumber }).strict(),
  /** To an external number, out through the trunk named in settings.forwardTrunk. */
  z.object({ type: z.literal('forward'), number: e164Schema, ...ringing }).strict(),
  z
    .object({
      type: z.literal('reject'),
      reason: z.enum(['busy', 'congestion', 'announcement']),
      announcement: soundName.optional(),
    })
    .strict()
    .refine((step) => step.reason !== 'announcement' || step.announcement, {
      message: 'an announcement reject names its sound file',
      path: ['announcement'],
    }),
  menuStepSchema,
]);
export type Step = z.infer<typeof stepSchema>;

export const planSchema = z.array(stepSchema).min(1).max(20);
export type Plan = z.infer<typeof planSchema>;

export const scheduleSchema = z
  .object({
    id: idSchema,
    name: safeLabel(40),
    timeZone,
    /** Opening hours; a span whose close is not after its open runs past midnight. */
    weekly: z
      .array(
        z
          .object({ days: z.array(z.enum(WEEKDAYS)).min(1), open: timeOfDay, close: timeOfDay })
          .strict()
          .refine((span) => span.open !== '24:00', { message: 'open cannot be 24:00', path: ['open'] }),
      )
      .default([]),
    /** Whole days closed (holidays), local to the schedule's time zone; `until` makes a range. */
    closures: z
      .array(z.object({ date: isoDate, until: isoDate.optional(), name: safeLabel(40).default('') }).strict())
      .default([]),
  })
  .strict();
export type Schedule = z.infer<typeof scheduleSchema>;

export const callerMatchSchema = z.union([
  z.object({ exact: e164Schema }).strict(),
  z.object({ prefix: z.string().regex(/^\+?\d{1,15}$/, 'digits, optionally after +') }).strict(),
]);
export type CallerMatch = z.infer<typeof callerMatchSchema>;

export const routeSchema = z
  .object({
    id: idSchema,
    name: safeLabel(60).default(''),
    /** The dialled number, stored in E.164 (other forms are normalised on input). */
    did: z.string(),
    /** Only callers matching this take the route (VIP lines, blocklists); exact beats prefix beats none. */
    caller: callerMatchSchema.optional(),
    /** Put in front of the caller's name on the phones' display, e.g. "Sales: ". */
    callerIdNamePrefix: safeLabel(20).default(''),
    schedule: idSchema.optional(),
    plans: z
      .object({
        open: planSchema,
        /** Outside the schedule's hours; defaults to `open`. */
        closed: planSchema.optional(),
        /** On a closure day; defaults to `closed`, then `open`. */
        holiday: planSchema.optional(),
      })
      .strict(),
  })
  .strict();
export type Route = z.infer<typeof routeSchema>;

export const extensionSchema = z
  .object({
    number: extensionNumber,
    name: safeLabel(40),
    /** PJSIP endpoints that ring for this extension (desk phone, softphone…); default: the number. */
    endpoints: z.array(endpointName).min(1).max(8).optional(),
    mailbox: extensionNumber.optional(),
    /** The DID shown as caller ID when this extension calls out (one of outbound.ownedNumbers). */
    outboundCallerId: e164Schema.optional(),
    /** Outbound policy id; default: outbound.defaultPolicy. */
    outboundPolicy: idSchema.optional(),
    /** The person's own mobile (E.164): texts go there too when none of the extension's phones is registered. */
    mobile: e164Schema.optional(),
    /** Desk phone first, then these external numbers with call screening (follow-me-model.ts). */
    followMe: followMeSchema.optional(),
    /** The person's email: each new voicemail in the extension's mailbox is mailed there with its audio (docs/voicemail.md). */
    email: z.email('must be an email address').max(254).optional(),
  })
  .strict();
export type Extension = z.infer<typeof extensionSchema>;

export const settingsSchema = z
  .object({
    /** For numbers written without a country code. */
    defaultCountry: countrySchema.default('US' as CountryCode),
    /** PJSIP endpoint of the outbound trunk that `forward` steps dial through. */
    forwardTrunk: endpointName.default('twilio-trunk'),
    /** A call for a DID no route names: rejected (SIP 404) unless a plan is given. */
    unknownDid: planSchema.optional(),
    /**
     * How long the Twilio edge waits for the PBX to answer: the Function's DIAL_TIMEOUT (keep the
     * two equal). Every plan must reach its answer within it, or Twilio cancels the call first.
     */
    edgeDialTimeoutSeconds: z
      .number()
      .int()
      .min(MIN_EDGE_DIAL_TIMEOUT_SECONDS)
      .max(TWILIO_MAX_DIAL_TIMEOUT_SECONDS)
      .default(DEFAULT_EDGE_DIAL_TIMEOUT_SECONDS),
  })
  .strict();

const rawConfigSchema = z
  .object({
    settings: settingsSchema.prefault({}),
    extensions: z.array(extensionSchema).default([]),
    schedules: z.array(scheduleSchema).default([]),
    routes: z.array(routeSchema).default([]),
    outbound: outboundSchema.prefault({}),
    messaging: messagingSchema.prefault({}),
    blocklist: blocklistSchema.prefault({}),
    recording: recordingSchema.prefault({}),
  })
  .strict();

function stepExtensions(step: Step): string[] {
  if (step.type === 'extension') return [step.extension];
  if (step.type === 'ring-group' || step.type === 'hunt') return step.extensions;
  if (step.type === 'voicemail') return [step.mailbox];
  return [];
}

/**
 * The whole document: every problem reported at once, by path (checks first), then every DID
 * normalised to E.164 (a transform only runs on a document without issues).
 */
export const routingConfigSchema = rawConfigSchema
  .superRefine((config, ctx) => {
    const extensions = checkUnique(
      ctx,
      config.extensions,
      (extension) => extension.number,
      (index) => ['extensions', index, 'number'],
      'duplicate extension',
    );
    const schedules = checkUnique(
      ctx,
      config.schedules,
      (schedule) => schedule.id,
      (index) => ['schedules', index, 'id'],
      'duplicate id',
    );
    const followMeRingTime = followMeRing(new Map(config.extensions.map((one) => [one.number, one])));
    const checkPlan = (plan: Plan | undefined, path: (string | number)[]) => {
      if (!plan) return;
      const cut = edgeCutReason(
        planRingTime(plan, followMeRingTime),
        config.settings.edgeDialTimeoutSeconds,
        EDGE_MARGIN_SECONDS,
        TWILIO_MAX_DIAL_TIMEOUT_SECONDS,
      );
      if (cut) ctx.addIssue({ code: 'custom', path, message: cut });
      plan.forEach((step, stepIndex) => {
        for (const number of stepExtensions(step)) {
          if (!extensions.has(number)) {
            ctx.addIssue({
              code: 'custom',
              path: [...path, stepIndex],
              message: `unknown extension ${number}`,
            });
          }
        }
      });
    };
    checkPlan(config.settings.unknownDid, ['settings', 'unknownDid']);
    checkOutbound(config, extensions, ctx);
    checkMessaging(config, extensions, ctx);
    checkBlocklist(config, extensions, ctx);
    checkMenus(config, ctx);
    checkRecording(config, extensions, ctx);
    checkFollowMe(config, extensions, ctx);
    checkUnique(
      ctx,
      config.routes,
      (route) => route.id,
      (index) => ['routes', index, 'id'],
      'duplicate id',
    );
    const keys = new Set<string>();
    config.routes.forEach((route, index) => {
      const did = toE164(route.did, config.settings.defaultCountry);
      if (!did)
        ctx.addIssue({
          code: 'custom',
          path: ['routes', index, 'did'],
          message: notAPhoneNumber(route.did),
        });
      const key = `${did ?? route.did}|${route.caller ? JSON.stringify(route.caller) : ''}`;
      if (keys.has(key)) {
        ctx.addIssue({
          code: 'custom',
          path: ['routes', index],
          message: `another route already takes ${route.did} for these callers`,
        });
      }
      keys.add(key);
      if (route.schedule && !schedules.has(route.schedule)) {
        ctx.addIssue({
          code: 'custom',
          path: ['routes', index, 'schedule'],
          message: `unknown schedule ${route.schedule}`,
        });
      }
      for (const plan of ['open', 'closed', 'holiday'] as const)
        checkPlan(route.plans[plan], ['routes', index, 'plans', plan]);
    });
  })
  .transform((config) => ({
    ...config,
    routes: config.routes.map((route) => ({
      ...route,
      did: toE164(route.did, config.settings.defaultCountry) ?? route.did,
    })),
  }));

export type RoutingConfig = z.output<typeof routingConfigSchema>;
export type RoutingConfigInput = z.input<typeof routingConfigSchema>;
