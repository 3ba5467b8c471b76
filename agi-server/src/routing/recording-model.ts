import { z } from 'zod';
import { checkUnique, extensionNumber, idSchema, soundName } from './model-fields.js';

/**
 * The recording section of the routing document: which calls are recorded (rules per route,
 * per extension, per direction; the first rule that matches decides, none: not recorded), the
 * announcement callers hear first, and how many days files are kept. The dialplan records with
 * MixMonitor(<linkedid>.wav,b): only while bridged, named by the call's linkedid alone, never by
 * caller text (see docs/recording.md). Pure.
 */

export const recordingRuleSchema = z
  .object({
    id: idSchema,
    direction: z.enum(['inbound', 'outbound', 'both']).default('both'),
    /** Inbound calls taken by this route only. */
    route: idSchema.optional(),
    /** Calls ringing this extension (inbound) or made from it (outbound). */
    extension: extensionNumber.optional(),
    /** false: a rule that keeps matching calls unrecorded (an exception before a wider rule). */
    record: z.boolean().default(true),
  })
  .strict();
export type RecordingRule = z.infer<typeof recordingRuleSchema>;

export const recordingSchema = z
  .object({
    /** Files older than this are deleted (the server sweeps the folder hourly). */
    retentionDays: z.number().int().min(1).max(3650).default(90),
    /** Played to the caller before a recorded call rings (e.g. "this call may be recorded"). */
    announcement: soundName.optional(),
    rules: z.array(recordingRuleSchema).max(500).default([]),
  })
  .strict();
export type RecordingConfig = z.infer<typeof recordingSchema>;

interface RecordingDocument {
  readonly recording: RecordingConfig;
  readonly routes: readonly { readonly id: string }[];
}

export function checkRecording(
  config: RecordingDocument,
  extensions: Set<string>,
  ctx: z.RefinementCtx,
): void {
  const routes = new Set(config.routes.map((route) => route.id));
  const rules = config.recording.rules;
  checkUnique(
    ctx,
    rules,
    (rule) => rule.id,
    (index) => ['recording', 'rules', index, 'id'],
    'duplicate id',
  );
  rules.forEach((rule, index) => {
    const at = (field: string) => ['recording', 'rules', index, field];
    if (rule.route && !routes.has(rule.route))
      ctx.addIssue({ code: 'custom', path: at('route'), message: `unknown route ${rule.route}` });
    if (rule.route && rule.direction === 'outbound')
      ctx.addIssue({ code: 'custom', path: at('route'), message: 'a route takes inbound calls only' });
    if (rule.extension && !extensions.has(rule.extension))
      ctx.addIssue({ code: 'custom', path: at('extension'), message: `unknown extension ${rule.extension}` });
  });
}

/** A call to record, and what the caller hears first. */
export interface RecordingChoice {
  readonly rule: string;
  readonly announcement: string | undefined;
}

/**
 * The rules that can apply to calls of one direction and route, in document order: worked out once
 * per routing version (the config object) and route, not on every attempt of every call.
 */
const candidatesByConfig = new WeakMap<RecordingConfig, Map<string, readonly RecordingRule[]>>();

function candidateRules(
  recording: RecordingConfig,
  direction: 'inbound' | 'outbound',
  routeId: string | undefined,
): readonly RecordingRule[] {
  let byKey = candidatesByConfig.get(recording);
  if (!byKey) {
    byKey = new Map();
    candidatesByConfig.set(recording, byKey);
  }
  // An outbound call matches only the rules without a route, whatever routeId: one list.
  const key = direction === 'inbound' ? `inbound\u0000${routeId ?? ''}` : 'outbound';
  let rules = byKey.get(key);
  if (!rules) {
    rules = recording.rules.filter(
      (one) =>
        (one.direction === 'both' || one.direction === direction) &&
        (!one.route || (direction === 'inbound' && one.route === routeId)),
    );
    byKey.set(key, rules);
  }
  return rules;
}

/** The first rule matching the call decides; undefined: not recorded. */
export function recordingFor(
  recording: RecordingConfig,
  direction: 'inbound' | 'outbound',
  routeId: string | undefined,
  extensions: readonly string[],
): RecordingChoice | undefined {
  if (recording.rules.length === 0) return undefined;
  const rule = candidateRules(recording, direction, routeId).find(
    (one) => !one.extension || extensions.includes(one.extension),
  );
  return rule?.record ? { rule: rule.id, announcement: recording.announcement } : undefined;
}
