import { toE164 } from '@switchboard/contract';
import type { CountryCode } from 'libphonenumber-js';
import { z } from 'zod';
import {
  checkUnique,
  documentReferences,
  extensionNumber,
  idSchema,
  safeLabel,
  soundName,
} from './model-fields.js';

/**
 * The blocklist section of the routing document: callers refused before any phone rings, for
 * every route (global) or for some routes. An entry names a caller one of three ways:
 * - an exact number, `+15551230001` (the caller is normalised to E.164 before comparing);
 * - a prefix, `+1900*` (the caller's E.164 form starts with the digits before `*`);
 * - `anonymous`: a withheld caller (no number, a name such as `anonymous`/`restricted`, or a
 *   presentation Asterisk marks as restricted).
 * What happens to a blocked caller: busy (SIP 486), an announcement then hang up, or voicemail.
 * Pure: matching is a function of the snapshot and the call's facts (see docs/blocklist.md).
 */

export const ANONYMOUS = 'anonymous';
/** `+` and digits (exact), `+` and digits then `*` (prefix), or `anonymous`. */
export const BLOCKED_CALLER = /^(\+[1-9]\d{0,14}\*?|anonymous)$/;

export const blockActionSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('busy') }).strict(),
  z.object({ type: z.literal('announcement'), announcement: soundName }).strict(),
  z.object({ type: z.literal('voicemail'), mailbox: extensionNumber }).strict(),
]);
export type BlockAction = z.infer<typeof blockActionSchema>;

export const blockEntrySchema = z
  .object({
    /** The key: `+15551230001`, `+1900*` or `anonymous`. */
    caller: z
      .string()
      .regex(BLOCKED_CALLER, 'an E.164 number, a prefix such as +1900*, or anonymous')
      .refine(
        (caller) => !/^\+\d+$/.test(caller) || /^\+[1-9]\d{6,14}$/.test(caller),
        'an exact number is E.164 (7 to 15 digits); end a shorter one with * for a prefix',
      ),
    /** Only these routes; absent or empty: every route (and settings.unknownDid). */
    routes: z.array(idSchema).max(64).optional(),
    /** Overrides the blocklist's default action for this entry. */
    action: blockActionSchema.optional(),
    /** Why, for people (shown in the console and in explain). */
    note: safeLabel(60).default(''),
  })
  .strict();
export type BlockEntry = z.infer<typeof blockEntrySchema>;

export const blocklistSchema = z
  .object({
    /** What happens to a blocked caller unless the entry says otherwise. */
    action: blockActionSchema.default({ type: 'busy' }),
    entries: z.array(blockEntrySchema).max(10_000).default([]),
  })
  .strict();
export type Blocklist = z.infer<typeof blocklistSchema>;

/** What the blocklist checks read of the whole document (structural: no import of model.ts). */
interface BlocklistDocument {
  readonly blocklist: Blocklist;
  readonly routes: readonly { readonly id: string }[];
}

export function checkBlocklist(
  config: BlocklistDocument,
  extensions: Set<string>,
  ctx: z.RefinementCtx,
): void {
  const { blocklist } = config;
  const refs = documentReferences(ctx, config.routes, extensions);
  checkUnique(
    ctx,
    blocklist.entries,
    (entry) => entry.caller,
    (index) => ['blocklist', 'entries', index, 'caller'],
    'this caller is already on the blocklist',
  );
  const checkAction = (action: BlockAction | undefined, path: (string | number)[]) => {
    if (action?.type === 'voicemail') refs.extension(action.mailbox, [...path, 'mailbox']);
  };
  checkAction(blocklist.action, ['blocklist', 'action']);
  blocklist.entries.forEach((entry, index) => {
    checkAction(entry.action, ['blocklist', 'entries', index, 'action']);
    entry.routes?.forEach((route, r) => {
      refs.route(route, ['blocklist', 'entries', index, 'routes', r]);
    });
  });
}

/** A caller the blocklist refuses, and how. */
export interface BlockVerdict {
  readonly entry: BlockEntry;
  readonly action: BlockAction;
  /** For people and the call log: `blocked: +1900* (prefix)`. */
  readonly label: string;
}

/** Names Asterisk and carriers use for a withheld number (compared lower-case). */
const WITHHELD_NAMES = new Set(['anonymous', 'restricted', 'private', 'unavailable', 'unknown', 'withheld']);

/**
 * A withheld caller: no number at all, a name instead of digits, or Asterisk's calling
 * presentation (`agi_callingpres`) marking the number restricted (32–35) or unavailable (67).
 */
export function isWithheldCaller(caller: string | undefined, presentation?: number): boolean {
  if (presentation !== undefined && ((presentation >= 32 && presentation <= 35) || presentation === 67))
    return true;
  if (caller === undefined || caller.trim() === '') return true;
  if (WITHHELD_NAMES.has(caller.trim().toLowerCase())) return true;
  return !/\d/.test(caller);
}

function kind(entry: BlockEntry): string {
  if (entry.caller === ANONYMOUS) return 'withheld caller';
  return entry.caller.endsWith('*') ? 'prefix' : 'exact';
}

function applies(entry: BlockEntry, routeId: string | undefined): boolean {
  if (!entry.routes || entry.routes.length === 0) return true;
  return routeId !== undefined && entry.routes.includes(routeId);
}

/** Entries by how they match, built once per document: an exact number is one Map lookup. */
interface BlocklistIndex {
  readonly exact: ReadonlyMap<string, readonly BlockEntry[]>;
  /** Longest prefix first. */
  readonly prefixes: readonly BlockEntry[];
  readonly anonymous: readonly BlockEntry[];
}

const indexes = new WeakMap<Blocklist, BlocklistIndex>();

function indexOf(blocklist: Blocklist): BlocklistIndex {
  let index = indexes.get(blocklist);
  if (!index) {
    const exact = new Map<string, BlockEntry[]>();
    const prefixes: BlockEntry[] = [];
    const anonymous: BlockEntry[] = [];
    for (const entry of blocklist.entries) {
      if (entry.caller === ANONYMOUS) anonymous.push(entry);
      else if (entry.caller.endsWith('*')) prefixes.push(entry);
      else exact.set(entry.caller, [...(exact.get(entry.caller) ?? []), entry]);
    }
    prefixes.sort((a, b) => b.caller.length - a.caller.length);
    index = { exact, prefixes, anonymous };
    indexes.set(blocklist, index);
  }
  return index;
}

/**
 * The entry that refuses this caller on this route: an exact number beats a prefix (the longest
 * prefix first), which beats `anonymous`; undefined when the caller may pass.
 */
export function blockedCaller(
  blocklist: Blocklist,
  routeId: string | undefined,
  caller: string | undefined,
  defaultCountry: CountryCode,
  presentation?: number,
  /** The caller already in E.164 (null: not a number), when the call's facts carry it. */
  knownE164?: string | null,
): BlockVerdict | undefined {
  if (blocklist.entries.length === 0) return undefined;
  const index = indexOf(blocklist);
  const withheld = isWithheldCaller(caller, presentation);
  const e164 = withheld
    ? undefined
    : knownE164 !== undefined
      ? (knownE164 ?? undefined)
      : toE164(caller, defaultCountry);
  const entry = withheld
    ? index.anonymous.find((one) => applies(one, routeId))
    : e164 === undefined
      ? undefined
      : (index.exact.get(e164)?.find((one) => applies(one, routeId)) ??
        index.prefixes.find((one) => e164.startsWith(one.caller.slice(0, -1)) && applies(one, routeId)));
  if (!entry) return undefined;
  return {
    entry,
    action: entry.action ?? blocklist.action,
    label: `blocked: ${entry.caller} (${kind(entry)})${entry.note ? ` ${entry.note}` : ''}`,
  };
}
