import { type BlockVerdict, blockedCaller } from './blocklist-model.js';
import {
  type Decision,
  dialTargets,
  dialViaTrunk,
  HangupCause,
  hangup,
  nextRouteBase,
  type PlanPosition,
  planAttempt,
  ROUTE_HOP_STRIDE,
} from './decision.js';
import { type FollowMePart, followMeDial } from './follow-me.js';
import { activeFollowMe } from './follow-me-model.js';
import { type MenuStep, type MenuTarget, menuChoice, menuMaxDigits, targetText } from './menu-model.js';
import type { Extension, Outcome, Plan, Route, Step } from './model.js';
import { OUTCOMES } from './model.js';
import { recordingFor } from './recording-model.js';
import { type CallFacts, planKeyFor, planOf, selectRoute } from './select-route.js';
import type { RoutingSnapshot } from './snapshot.js';

/**
 * The pure router: (call facts, instant, snapshot) -> what the dialplan does next. No I/O.
 * A plan is flattened into attempts (a hunt is one attempt per member), so that after a Dial the
 * `next` step only needs (route, plan, attempt index): the AGI server keeps no call state.
 */

export interface Attempt {
  readonly stepIndex: number;
  readonly step: Step;
  /** For a hunt: which member. */
  readonly member: number;
  readonly advanceOn: readonly Outcome[];
  /** An extension step whose extension has follow-me: which of its parts this attempt is. */
  readonly followMe?: FollowMePart;
}

/**
 * `extensions` (the snapshot's) expands an extension step with follow-me on into its parts: the
 * desk phone, the external numbers, and its voicemail when it names one (docs/follow-me.md).
 */
export function attemptsOf(plan: Plan, extensions?: ReadonlyMap<string, Extension>): Attempt[] {
  const attempts: Attempt[] = [];
  plan.forEach((step, stepIndex) => {
    const followMe = step.type === 'extension' ? activeFollowMe(extensions?.get(step.extension)) : undefined;
    if (followMe) {
      attempts.push({ stepIndex, step, member: 0, advanceOn: OUTCOMES, followMe: 'desk' });
      const external = followMe.voicemail ? OUTCOMES : 'advanceOn' in step ? step.advanceOn : [];
      attempts.push({ stepIndex, step, member: 1, advanceOn: external, followMe: 'external' });
      if (followMe.voicemail)
        attempts.push({ stepIndex, step, member: 2, advanceOn: [], followMe: 'voicemail' });
    } else if (step.type === 'hunt') {
      step.extensions.forEach((_, member) => {
        const last = member === step.extensions.length - 1;
        attempts.push({ stepIndex, step, member, advanceOn: last ? step.advanceOn : OUTCOMES });
      });
    } else {
      attempts.push({ stepIndex, step, member: 0, advanceOn: 'advanceOn' in step ? step.advanceOn : [] });
    }
  });
  return attempts;
}

/**
 * A plan's attempts, flattened once per plan object (a routing version's plans never change):
 * every call reads them, and flattening allocated a list per decision.
 */
const attemptCache = new WeakMap<ReadonlyMap<string, Extension>, WeakMap<Plan, readonly Attempt[]>>();

/** Keyed by the snapshot's extensions too: follow-me expands a plan by its extensions' settings. */
function cachedAttempts(plan: Plan, extensions: ReadonlyMap<string, Extension>): readonly Attempt[] {
  let byPlan = attemptCache.get(extensions);
  if (!byPlan) {
    byPlan = new WeakMap();
    attemptCache.set(extensions, byPlan);
  }
  let attempts = byPlan.get(plan);
  if (!attempts) {
    attempts = attemptsOf(plan, extensions);
    byPlan.set(plan, attempts);
  }
  return attempts;
}

/** What a ringing attempt (extension, ring group, hunt member) dials, and its label. */
interface Ringing {
  readonly numbers: readonly string[];
  readonly label: string;
}

/** Per attempt object (cachedAttempts keeps them for the plan's life): worked out once. */
const ringingCache = new WeakMap<Attempt, Ringing>();

function ringingOf(attempt: Attempt): Ringing {
  let ringing = ringingCache.get(attempt);
  if (!ringing) {
    const { step } = attempt;
    const numbers =
      step.type === 'extension'
        ? [step.extension]
        : step.type === 'hunt'
          ? [step.extensions[attempt.member] as string]
          : step.type === 'ring-group'
            ? step.extensions
            : [];
    const timeout = 'timeoutSeconds' in step ? step.timeoutSeconds : 0;
    ringing = { numbers, label: `${step.type} ${numbers.join(',')} for ${timeout}s` };
    ringingCache.set(attempt, ringing);
  }
  return ringing;
}

/** Characters a caller-ID name keeps: letters, digits and a few marks (Unicode-aware). */
const NAME_DROPPED = /[^\p{L}\p{N} .:'&/#+-]/gu;
/** The common case, plain ASCII with nothing to drop: the Unicode replace would change nothing. */
const PLAIN_NAME = /^[A-Za-z0-9 .:'&/#+-]*$/;

/** Caller-ID name for the phones: the route's prefix before the caller's name (or number). */
function callerIdName(route: Route | undefined, facts: CallFacts): string | undefined {
  if (!route?.callerIdNamePrefix) return undefined;
  const name = facts.callerName ?? facts.caller ?? '';
  const shown = (PLAIN_NAME.test(name) ? name : name.replace(NAME_DROPPED, '')).slice(0, 40);
  // Idempotent: after the first Dial the channel's name already carries the prefix.
  return shown.startsWith(route.callerIdNamePrefix) ? shown : `${route.callerIdNamePrefix}${shown}`;
}

/** The decision for attempt `position.attempt` of a plan, with the recording rules applied to a Dial. */
export function decideAttempt(snapshot: RoutingSnapshot, position: PlanPosition, facts: CallFacts): Decision {
  const decision = withInboundRecording(snapshot, attemptDecision(snapshot, position, facts));
  // A route a menu sent the call to names itself on the call's row (docs/menus.md).
  return position.attempt >= ROUTE_HOP_STRIDE
    ? { ...decision, label: `route ${position.routeId}: ${decision.label}` }
    : decision;
}

function withInboundRecording(snapshot: RoutingSnapshot, decision: Decision): Decision {
  if (decision.action !== 'dial') return decision;
  const record = recordingFor(
    snapshot.config.recording,
    'inbound',
    decision.position?.routeId,
    decision.targets,
  );
  return record ? { ...decision, record } : decision;
}

function attemptDecision(snapshot: RoutingSnapshot, position: PlanPosition, facts: CallFacts): Decision {
  const plan = planOf(snapshot, position.routeId, position.planKey);
  const attempt = plan ? cachedAttempts(plan, snapshot.extensions)[planAttempt(position)] : undefined;
  if (!attempt) return hangup(snapshot, position, 'plan-end', HangupCause.noAnswer, 'end of plan');
  const route = snapshot.routesById.get(position.routeId);
  const base = { version: snapshot.version, position };
  const { step } = attempt;
  if (attempt.followMe && step.type === 'extension') {
    const followMe = activeFollowMe(snapshot.extensions.get(step.extension));
    if (followMe && attempt.followMe === 'voicemail' && followMe.voicemail)
      return {
        ...base,
        action: 'voicemail',
        mailbox: `${followMe.voicemail}@default`,
        label: `follow-me ${step.extension}: voicemail ${followMe.voicemail}`,
      };
    const part = attempt.followMe === 'desk' ? 'desk' : 'external';
    const dial =
      followMe &&
      followMeDial(snapshot, position, step.extension, followMe, part, callerIdName(route, facts));
    // No number the policy lets out: the follow-me goes straight on to what comes after it.
    return dial ?? attemptDecision(snapshot, { ...position, attempt: position.attempt + 1 }, facts);
  }
  switch (step.type) {
    case 'extension':
    case 'ring-group':
    case 'hunt': {
      const { numbers, label } = ringingOf(attempt);
      // Built field by field (no spread of `base`): the decision of nearly every call.
      return {
        version: snapshot.version,
        position,
        action: 'dial',
        dial: dialTargets(snapshot, numbers),
        timeoutSeconds: step.timeoutSeconds,
        options: '',
        callerIdName: callerIdName(route, facts),
        targets: numbers,
        label,
      };
    }
    case 'forward':
      return {
        ...base,
        action: 'dial',
        dial: dialViaTrunk(step.number, snapshot.config.settings.forwardTrunk),
        timeoutSeconds: step.timeoutSeconds,
        options: '',
        callerIdName: undefined,
        targets: [step.number],
        label: `forward to ${step.number} for ${step.timeoutSeconds}s`,
      };
    case 'voicemail':
      return {
        ...base,
        action: 'voicemail',
        mailbox: `${step.mailbox}@default`,
        label: `voicemail ${step.mailbox}`,
      };
    case 'menu':
      return {
        ...base,
        action: 'menu',
        prompt: step.prompt,
        maxDigits: menuMaxDigits(step, snapshot.extensions.keys()),
        tries: step.tries,
        timeoutSeconds: step.timeoutSeconds,
        label: menuLabel(step),
      };
    case 'reject':
      return {
        ...base,
        action: 'hangup',
        reason: 'rejected',
        reject: step.reason,
        announcement: step.announcement,
        cause:
          step.reason === 'busy'
            ? HangupCause.busy
            : step.reason === 'congestion'
              ? HangupCause.congestion
              : HangupCause.normal,
        label: `reject (${step.reason})`,
      };
  }
}

/** What the blocklist does to a caller it refuses: never a phone rings (see docs/blocklist.md). */
function blockedDecision(snapshot: RoutingSnapshot, position: PlanPosition, verdict: BlockVerdict): Decision {
  const base = { version: snapshot.version, position, blocked: verdict.label };
  const { action } = verdict;
  if (action.type === 'voicemail')
    return {
      ...base,
      action: 'voicemail',
      mailbox: `${action.mailbox}@default`,
      label: `${verdict.label}: voicemail ${action.mailbox}`,
    };
  const announcement = action.type === 'announcement' ? action.announcement : undefined;
  return {
    ...base,
    action: 'hangup',
    reason: 'blocked',
    reject: announcement ? 'announcement' : 'busy',
    announcement,
    cause: announcement ? HangupCause.normal : HangupCause.busy,
    label: `${verdict.label}: ${announcement ? `announcement ${announcement}` : 'busy'}`,
  };
}

/** The blocklist's verdict on a call that would start at `start`; undefined: it may pass. */
export function blockVerdict(
  snapshot: RoutingSnapshot,
  start: PlanPosition,
  facts: CallFacts,
): BlockVerdict | undefined {
  const { blocklist, settings } = snapshot.config;
  return blockedCaller(
    blocklist,
    start.routeId,
    facts.caller,
    settings.defaultCountry,
    facts.presentation,
    facts.callerE164,
  );
}

/** First decision for a new call: the blocklist first, then the route's plan. */
export function routeCall(snapshot: RoutingSnapshot, facts: CallFacts, instant: Date): Decision {
  const { did, start } = selectRoute(snapshot, facts, instant);
  if (start) {
    const blocked = blockVerdict(snapshot, start, facts);
    return blocked ? blockedDecision(snapshot, start, blocked) : decideAttempt(snapshot, start, facts);
  }
  return hangup(
    snapshot,
    undefined,
    'unknown-did',
    HangupCause.unallocated,
    `no route for ${did ?? facts.did ?? 'no number'}`,
  );
}

function menuLabel(menu: MenuStep): string {
  const options = menu.options.map((option) => `${option.digit} -> ${targetText(option.goTo)}`);
  if (menu.directDial) options.push('an extension number -> that extension');
  return (
    `menu ${menu.prompt}: ${options.join(', ') || 'no options'}; ` +
    `no digit after ${menu.tries} x ${menu.timeoutSeconds}s -> ${targetText(menu.onTimeout)}; ` +
    `invalid -> ${targetText(menu.onInvalid)}`
  );
}

/** Where a menu target starts: the same plan's step, or another route's plan at `instant`. */
function targetPosition(
  snapshot: RoutingSnapshot,
  from: PlanPosition,
  target: MenuTarget,
  instant: Date,
): PlanPosition {
  if ('route' in target) {
    const route = snapshot.routesById.get(target.route);
    // The model checks the route exists; a version without it ends the plan (no attempt 0 plan).
    return {
      routeId: target.route,
      planKey: route ? planKeyFor(snapshot, route, instant) : 'open',
      attempt: nextRouteBase(from.attempt),
    };
  }
  const plan = planOf(snapshot, from.routeId, from.planKey) ?? [];
  const attempt = cachedAttempts(plan, snapshot.extensions).findIndex(
    (one) => one.stepIndex === target.step - 1,
  );
  const base = from.attempt - planAttempt(from);
  return { ...from, attempt: attempt === -1 ? Number.MAX_SAFE_INTEGER : base + attempt };
}

/** What the caller's digits at a menu do: an option, a direct dial, or the timeout/invalid destination. */
function continueMenu(
  snapshot: RoutingSnapshot,
  position: PlanPosition,
  menu: MenuStep,
  facts: CallFacts,
  input: MenuInput,
): Decision {
  const extensions = new Set(snapshot.extensions.keys());
  const choice = menuChoice(menu, input.digits, extensions);
  if (choice.kind === 'direct') {
    // The menu's own position: after the Dial, `next` without menu input plays the menu again.
    return withInboundRecording(snapshot, {
      version: snapshot.version,
      position,
      action: 'dial',
      dial: dialTargets(snapshot, [choice.extension]),
      timeoutSeconds: menu.directDialTimeoutSeconds,
      options: '',
      callerIdName: callerIdName(snapshot.routesById.get(position.routeId), facts),
      targets: [choice.extension],
      label: `menu: dialled extension ${choice.extension} for ${menu.directDialTimeoutSeconds}s`,
    });
  }
  const target = choice.kind === 'timeout' ? menu.onTimeout : choice.target;
  return decideAttempt(snapshot, targetPosition(snapshot, position, target, input.instant), facts);
}

/** The digits a menu's Read() collected (absent: the caller pressed nothing), and the instant. */
export interface MenuInput {
  /** True when `next` comes from a menu's Read() rather than a Dial(). */
  readonly fromMenu: boolean;
  readonly digits: string | undefined;
  readonly instant: Date;
}

/** After a Dial (or a menu's Read): the outcome decides whether the next attempt runs or the call ends. */
export function continueCall(
  snapshot: RoutingSnapshot,
  position: PlanPosition,
  outcome: Outcome | 'answered',
  facts: CallFacts,
  menuInput?: MenuInput,
): Decision {
  const plan = planOf(snapshot, position.routeId, position.planKey);
  const attempt = plan ? cachedAttempts(plan, snapshot.extensions)[planAttempt(position)] : undefined;
  if (attempt?.step.type === 'menu') {
    if (menuInput?.fromMenu) return continueMenu(snapshot, position, attempt.step, facts, menuInput);
    // A direct dial from the menu ended: answered ends the call, anything else plays the menu again.
    if (outcome !== 'answered') return decideAttempt(snapshot, position, facts);
  }
  if (outcome === 'answered') return hangup(snapshot, position, 'answered', HangupCause.normal, 'answered');
  if (attempt && !attempt.advanceOn.includes(outcome)) {
    return hangup(
      snapshot,
      position,
      'not-advanced',
      HangupCause.normal,
      `${outcome}: plan does not continue`,
    );
  }
  return decideAttempt(snapshot, { ...position, attempt: position.attempt + 1 }, facts);
}
