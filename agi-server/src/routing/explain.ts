import { toE164 } from '@switchboard/contract';
import type { Route } from './model.js';
import { planRingTime, type RingTime } from './ring-time.js';
import {
  attemptsOf,
  type CallFacts,
  type Decision,
  decideAttempt,
  matchRoute,
  type PlanKey,
  planKeyFor,
  planOf,
  routeCall,
  UNKNOWN_DID_ROUTE,
} from './router.js';
import type { RoutingSnapshot } from './snapshot.js';

export interface Explanation {
  readonly version: number;
  readonly did: string | undefined;
  readonly caller: string | undefined;
  readonly at: string;
  readonly route: Pick<Route, 'id' | 'name'> | undefined;
  readonly planKey: PlanKey | undefined;
  readonly first: Decision;
  /** Every attempt of the chosen plan in order, as the call would meet them if none answers. */
  readonly plan: Decision[];
  /** The plan's longest ringing before it answers or ends, beside what the Twilio edge waits. */
  readonly ring: (RingTime & { readonly edgeWaitSeconds: number }) | undefined;
}

/** What happens to a call from `caller` to `did` at `instant`: the route, the plan, every step. */
export function explainCall(snapshot: RoutingSnapshot, facts: CallFacts, instant: Date): Explanation {
  const did = toE164(facts.did, snapshot.config.settings.defaultCountry);
  const route = matchRoute(snapshot, did, facts.caller);
  const routeId = route?.id ?? (snapshot.config.settings.unknownDid ? UNKNOWN_DID_ROUTE : undefined);
  const planKey = route ? planKeyFor(snapshot, route, instant) : routeId ? 'open' : undefined;
  const plan = routeId && planKey ? planOf(snapshot, routeId, planKey) : undefined;
  const attempts = plan ? attemptsOf(plan) : [];
  return {
    version: snapshot.version,
    did,
    caller: facts.caller,
    at: instant.toISOString(),
    route: route ? { id: route.id, name: route.name } : undefined,
    planKey,
    first: routeCall(snapshot, facts, instant),
    plan:
      routeId && planKey
        ? attempts.map((_, attempt) => decideAttempt(snapshot, { routeId, planKey, attempt }, facts))
        : [],
    ring: plan
      ? { ...planRingTime(plan), edgeWaitSeconds: snapshot.config.settings.edgeDialTimeoutSeconds }
      : undefined,
  };
}
