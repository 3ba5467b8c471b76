import { type DialString, dialStringSchema } from './dial-string.js';
import type { RecordingChoice } from './recording-model.js';
import { endpointsOf, type RoutingSnapshot } from './snapshot.js';

/**
 * The decision vocabulary: what the dialplan is told to do next (dial, voicemail, hang up) and
 * where the call stands in its plan. Inbound (`router.ts`) and outbound (`outbound-decision.ts`)
 * both answer in these terms; `handlers/decision-variables.ts` turns them into SB_* variables.
 */

export type PlanKey = 'open' | 'closed' | 'holiday';

/** Q.850 causes the dialplan hangs up with; chan_pjsip maps them to SIP responses. */
export const HangupCause = {
  unallocated: 1, // 404 Not Found
  normal: 16,
  busy: 17, // 486 Busy Here
  noAnswer: 19, // 480 Temporarily Unavailable
  congestion: 34, // 503 Service Unavailable
} as const;

export interface PlanPosition {
  readonly routeId: string;
  readonly planKey: PlanKey;
  /**
   * Index into the flattened attempts, plus ROUTE_HOP_STRIDE for each time a menu sent the call to
   * another route: the call log keys a call's steps by this number, so the second route's steps
   * never take the first route's places (docs/menus.md).
   */
  readonly attempt: number;
}

/** Room for one plan's attempts (20 steps of up to 32 hunt members fit) per route a call goes through. */
export const ROUTE_HOP_STRIDE = 1000;
/** Route jumps counted apart; later ones share the last stride. */
export const MAX_ROUTE_HOPS = 99;
/** The largest attempt number a position can carry (what `next` and `hangup` accept). */
export const MAX_ATTEMPT = ROUTE_HOP_STRIDE * (MAX_ROUTE_HOPS + 1) - 1;

/** The attempt's index within its plan. */
export function planAttempt(position: PlanPosition): number {
  return position.attempt % ROUTE_HOP_STRIDE;
}

/** The first attempt number in the next route a menu sends the call to. */
export function nextRouteBase(attempt: number): number {
  return Math.min(Math.floor(attempt / ROUTE_HOP_STRIDE) + 1, MAX_ROUTE_HOPS) * ROUTE_HOP_STRIDE;
}

interface DecisionBase {
  readonly version: number;
  readonly position: PlanPosition | undefined;
  /** Human-readable description of the attempt, for logs and explain. */
  readonly label: string;
  /** The blocklist refused the caller (`blocked: +1900* (prefix)`): kept as the call's note. */
  readonly blocked?: string | undefined;
}

export interface DialDecision extends DecisionBase {
  readonly action: 'dial';
  readonly dial: DialString;
  readonly timeoutSeconds: number;
  readonly options: string;
  readonly callerIdName: string | undefined;
  /** Outbound: the owned number presented as caller ID (From / P-Asserted-Identity). */
  readonly callerIdNumber?: string | undefined;
  /** Extension numbers (or the external number) this attempt rings. */
  readonly targets: readonly string[];
  /** Record the call once bridged (MixMonitor, docs/recording.md); undefined: not recorded. */
  readonly record?: RecordingChoice | undefined;
  /** Follow-me's external legs: the caller ID those legs present (Dial's f(); docs/follow-me.md). */
  readonly trunkCallerId?: string | undefined;
  /** Follow-me's screening: the prompt an answered leg hears; only a 1 there connects (Dial's U()). */
  readonly screenPrompt?: string | undefined;
}

export interface VoicemailDecision extends DecisionBase {
  readonly action: 'voicemail';
  readonly mailbox: string;
}

export interface HangupDecision extends DecisionBase {
  readonly action: 'hangup';
  readonly cause: number;
  readonly reason:
    | 'unknown-did'
    | 'rejected'
    | 'blocked'
    | 'plan-end'
    | 'answered'
    | 'not-advanced'
    | 'denied';
  /** For `denied`: why (blocked-prefix, calls-per-minute…). */
  readonly detail?: string | undefined;
  readonly reject: 'busy' | 'congestion' | 'announcement' | undefined;
  readonly announcement: string | undefined;
}

/** An IVR menu: play the prompt, collect digits (Read()), hand them to `next` (docs/menus.md). */
export interface MenuDecision extends DecisionBase {
  readonly action: 'menu';
  readonly prompt: string;
  /** Read()'s maxdigits, attempts and timeout. */
  readonly maxDigits: number;
  readonly tries: number;
  readonly timeoutSeconds: number;
}

export type Decision = DialDecision | VoicemailDecision | HangupDecision | MenuDecision;

export function hangup(
  snapshot: RoutingSnapshot,
  position: PlanPosition | undefined,
  reason: HangupDecision['reason'],
  cause: number,
  label: string,
): HangupDecision {
  return {
    action: 'hangup',
    version: snapshot.version,
    position,
    cause,
    reason,
    reject: undefined,
    announcement: undefined,
    label,
  };
}

/** Validated dial strings per snapshot: the same few targets recur call after call. */
const dialCache = new WeakMap<RoutingSnapshot, Map<string, DialString>>();

export function dialTargets(snapshot: RoutingSnapshot, numbers: readonly string[]): DialString {
  let cache = dialCache.get(snapshot);
  if (!cache) {
    cache = new Map();
    dialCache.set(snapshot, cache);
  }
  const key = numbers.join(',');
  let dial = cache.get(key);
  if (!dial) {
    const targets = numbers.flatMap((number) => {
      const extension = snapshot.extensions.get(number);
      return extension ? endpointsOf(extension).map((endpoint) => `PJSIP/${endpoint}`) : [];
    });
    dial = dialStringSchema.parse(targets.join('&'));
    cache.set(key, dial);
  }
  return dial;
}

/** An external number out through a trunk's PJSIP endpoint: `forward` steps and outbound calls. */
export function dialViaTrunk(number: string, trunkEndpoint: string): DialString {
  return dialViaTrunks([{ number, trunk: trunkEndpoint }]);
}

/** Several external numbers at once, each through its trunk's endpoint (follow-me). */
export function dialViaTrunks(
  legs: readonly { readonly number: string; readonly trunk: string }[],
): DialString {
  return dialStringSchema.parse(legs.map((leg) => `PJSIP/${leg.number}@${leg.trunk}`).join('&'));
}
