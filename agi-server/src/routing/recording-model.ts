import { z } from 'zod';
import { checkUnique, documentReferences, extensionNumber, idSchema, soundName } from './model-fields.js';

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
    /**
     * true: recorded from the answer; false: never recorded, not even on demand (an exception
     * before a wider rule); `on-demand`: not recorded unless the phone's user presses the
     * feature code during the call (again to stop), docs/recording.md.
     */
    record: z.union([z.boolean(), z.literal('on-demand')]).default(true),
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
  const refs = documentReferences(ctx, config.routes, extensions);
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
    refs.route(rule.route, at('route'));
    if (rule.route && rule.direction === 'outbound')
      ctx.addIssue({ code: 'custom', path: at('route'), message: 'a route takes inbound calls only' });
    refs.extension(rule.extension, at('extension'));
  });
}

/** A call to record (or that may be recorded on demand), and what the caller hears first. */
export interface RecordingChoice {
  readonly rule: string;
  readonly announcement: string | undefined;
  /** `always`: from the answer; `on-demand`: when the phone's user presses the feature code. */
  readonly mode: 'always' | 'on-demand';
  /** The phone's side of the Dial, the one allowed the feature code: the callee inbound, the caller outbound. */
  readonly side: 'caller' | 'callee';
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
  if (!rule?.record) return undefined;
  return {
    rule: rule.id,
    announcement: rule.record === true ? recording.announcement : undefined,
    mode: rule.record === true ? 'always' : 'on-demand',
    side: direction === 'inbound' ? 'callee' : 'caller',
  };
}
