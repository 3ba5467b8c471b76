import type { Decision, PlanKey } from './decision.js';
import { followMeRing } from './follow-me-model.js';
import type { Route } from './model.js';
import { planRingTime, type RingTime } from './ring-time.js';
import { attemptsOf, decideAttempt, routeCall } from './router.js';
import { explainSchedule, type ScheduleVerdict } from './schedule.js';
import { type CallFacts, planOf, selectRoute } from './select-route.js';
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
  /** Why this plan: the closure or weekly hours that decided, on the schedule's own clock. */
  readonly schedule: (ScheduleVerdict & { readonly id: string; readonly name: string }) | undefined;
  /** One sentence for people: which route and plan, and the rule that chose it. */
  readonly because: string;
}

function because(
  route: Route | undefined,
  routeId: string | undefined,
  planKey: PlanKey | undefined,
  verdict: ScheduleVerdict | undefined,
  did: string | undefined,
): string {
  if (!routeId) return `no route takes ${did ?? 'this number'} and settings.unknownDid is not set`;
  if (!route) return `no route takes ${did ?? 'this number'}: settings.unknownDid applies`;
  const caller = route.caller
    ? 'exact' in route.caller
      ? ` for caller ${route.caller.exact}`
      : ` for callers starting ${route.caller.prefix}`
    : '';
  const plan = verdict ? `${planKey} plan: ${verdict.because}` : `${planKey} plan: the route has no schedule`;
  return `route ${route.id} takes ${route.did}${caller}; ${plan}`;
}

/** What happens to a call from `caller` to `did` at `instant`: the route, the plan, every step. */
export function explainCall(snapshot: RoutingSnapshot, facts: CallFacts, instant: Date): Explanation {
  // The same choice routeCall makes, the edge's route key included.
  const { did, route, start } = selectRoute(snapshot, facts, instant);
  const routeId = start?.routeId;
  const planKey = start?.planKey;
  const plan = routeId && planKey ? planOf(snapshot, routeId, planKey) : undefined;
  const attempts = plan ? attemptsOf(plan, snapshot.extensions) : [];
  const schedule = route?.schedule ? snapshot.schedules.get(route.schedule) : undefined;
  const verdict = schedule ? explainSchedule(schedule, instant) : undefined;
  const first = routeCall(snapshot, facts, instant);
  const reason = because(route, routeId, planKey, verdict, did);
  return {
    version: snapshot.version,
    did,
    caller: facts.caller,
    at: instant.toISOString(),
    route: route ? { id: route.id, name: route.name } : undefined,
    planKey,
    first,
    // A blocked caller meets only the blocklist's action, never the plan.
    plan: first.blocked
      ? [first]
      : routeId && planKey
        ? attempts.map((_, attempt) => decideAttempt(snapshot, { routeId, planKey, attempt }, facts))
        : [],
    ring: plan
      ? {
          ...planRingTime(plan, followMeRing(snapshot.extensions)),
          edgeWaitSeconds: snapshot.config.settings.edgeDialTimeoutSeconds,
        }
      : undefined,
    schedule: schedule && verdict ? { id: schedule.id, name: schedule.name, ...verdict } : undefined,
    because: first.blocked ? `${first.label}, before any phone rings (${reason})` : reason,
  };
}
