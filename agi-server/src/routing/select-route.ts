import { toE164, UNKNOWN_ROUTE_ID } from '@switchboard/contract';
import type { PlanKey, PlanPosition } from './decision.js';
import type { Plan, Route } from './model.js';
import { scheduleState } from './schedule.js';
import type { RoutingSnapshot } from './snapshot.js';

/**
 * Inbound route selection, pure: which route takes a call (the edge's verified route key, else the
 * DID and caller match), which of its plans runs at an instant (the schedule), and the plan itself.
 * The router (`routeCall`) and `explainCall` both choose through here, so they cannot disagree.
 */

/** Not a valid route id: stands for settings.unknownDid. */
const UNKNOWN_DID_ROUTE = UNKNOWN_ROUTE_ID;

export interface CallFacts {
  /** The dialled number as received (any form; normalised here). */
  readonly did: string | undefined;
  readonly caller: string | undefined;
  /**
   * `caller` in E.164 when the edge already normalised it (settings' default country), so that
   * route matching and the blocklist do not parse it again: null when it is not a number; absent:
   * parsed here.
   */
  readonly callerE164?: string | null | undefined;
  readonly callerName: string | undefined;
  /** Asterisk's calling presentation (`agi_callingpres`): restricted numbers count as withheld. */
  readonly presentation?: number | undefined;
  /** A route id chosen at the Twilio edge, only from a verified signature. */
  readonly routeKey?: string | undefined;
}

/** The caller in E.164, from the facts when the edge parsed it, else parsed now. */
export function callerE164Of(
  snapshot: RoutingSnapshot,
  facts: Pick<CallFacts, 'caller' | 'callerE164'>,
): string | undefined {
  if (facts.callerE164 !== undefined) return facts.callerE164 ?? undefined;
  return facts.caller === undefined
    ? undefined
    : toE164(facts.caller, snapshot.config.settings.defaultCountry);
}

function matchRoute(
  snapshot: RoutingSnapshot,
  did: string | undefined,
  facts: Pick<CallFacts, 'caller' | 'callerE164'>,
): Route | undefined {
  if (did === undefined) return undefined;
  const candidates = snapshot.routesByDid.get(did);
  if (!candidates) return undefined;
  const { caller } = facts;
  const callerE164 = callerE164Of(snapshot, facts);
  const callerText = callerE164 ?? caller ?? '';
  for (const route of candidates) {
    if (!route.caller) return route;
    if ('exact' in route.caller) {
      if (callerE164 === route.caller.exact) return route;
    } else if (
      callerText.startsWith(route.caller.prefix) ||
      callerText.replace('+', '').startsWith(route.caller.prefix)
    ) {
      return route;
    }
  }
  return undefined;
}

export function planKeyFor(snapshot: RoutingSnapshot, route: Route, instant: Date): PlanKey {
  const schedule = route.schedule ? snapshot.schedules.get(route.schedule) : undefined;
  return schedule ? scheduleState(schedule, instant) : 'open';
}

export function planOf(snapshot: RoutingSnapshot, routeId: string, key: PlanKey): Plan | undefined {
  if (routeId === UNKNOWN_DID_ROUTE) return snapshot.config.settings.unknownDid;
  const route = snapshot.routesById.get(routeId);
  if (!route) return undefined;
  if (key === 'holiday') return route.plans.holiday ?? route.plans.closed ?? route.plans.open;
  if (key === 'closed') return route.plans.closed ?? route.plans.open;
  return route.plans.open;
}

export interface RouteChoice {
  /** The dialled number in E.164, or undefined when it is not a phone number. */
  readonly did: string | undefined;
  /** The route that takes the call; undefined when settings.unknownDid applies or nothing does. */
  readonly route: Route | undefined;
  /** Where the call starts (attempt 0 of the chosen plan); undefined when no plan takes it. */
  readonly start: PlanPosition | undefined;
}

/**
 * Which route takes a call, whatever the instant: a route key from a verified edge wins (an
 * unknown key falls back to matching); else the DID and caller match. Undefined route: none does.
 */
export function chooseRoute(
  snapshot: RoutingSnapshot,
  facts: Pick<CallFacts, 'did' | 'caller' | 'callerE164' | 'routeKey'>,
): Pick<RouteChoice, 'did' | 'route'> {
  const did = toE164(facts.did, snapshot.config.settings.defaultCountry);
  const chosen = facts.routeKey ? snapshot.routesById.get(facts.routeKey) : undefined;
  return { did, route: chosen ?? matchRoute(snapshot, did, facts) };
}

/**
 * The one route selection at an instant: the route `chooseRoute` names and its plan for the
 * instant (the schedule); else settings.unknownDid; else nothing.
 */
export function selectRoute(snapshot: RoutingSnapshot, facts: CallFacts, instant: Date): RouteChoice {
  const { did, route } = chooseRoute(snapshot, facts);
  if (route)
    return {
      did,
      route,
      start: { routeId: route.id, planKey: planKeyFor(snapshot, route, instant), attempt: 0 },
    };
  if (snapshot.config.settings.unknownDid)
    return { did, route, start: { routeId: UNKNOWN_DID_ROUTE, planKey: 'open', attempt: 0 } };
  return { did, route, start: undefined };
}
