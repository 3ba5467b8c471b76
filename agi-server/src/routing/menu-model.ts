import { z } from 'zod';
import { idSchema, soundName } from './model-fields.js';

/**
 * The IVR menu step (`type: menu`) of a plan: a prompt, options digit -> a step of the same plan
 * or another route, optional direct dial of extension numbers, a digit timeout with tries, and
 * where a silent or a wrong answer goes. The dialplan plays the prompt and collects the digits
 * with Read() (see docs/menus.md); `next` receives them and this module says what they mean.
 * Pure; `model.ts` puts the step in its step union with one line and calls `checkMenus`.
 */

export const MENU_DIGITS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '#'] as const;

/** Where a menu sends the call: a step of the same plan (numbered from 1, as explain lists them) or another route. */
export const menuTargetSchema = z.union([
  z.object({ step: z.number().int().min(1).max(20) }).strict(),
  z.object({ route: idSchema }).strict(),
]);
export type MenuTarget = z.infer<typeof menuTargetSchema>;

export const menuStepSchema = z
  .object({
    type: z.literal('menu'),
    /** Built-in sound (`demo-congrats`) or one uploaded through the API (`custom/main-menu`). */
    prompt: soundName,
    options: z
      .array(z.object({ digit: z.enum(MENU_DIGITS), goTo: menuTargetSchema }).strict())
      .max(MENU_DIGITS.length)
      .default([]),
    /** Digits that form an extension number ring that extension (Read waits for the longest number). */
    directDial: z.boolean().default(false),
    /** Ring time of a direct-dialled extension; unanswered, the menu plays again. */
    directDialTimeoutSeconds: z.number().int().min(1).max(120).default(20),
    /** Seconds to wait for a digit after the prompt. */
    timeoutSeconds: z.number().int().min(1).max(30).default(5),
    /** How many times the prompt plays when no digit comes, before `onTimeout`. */
    tries: z.number().int().min(1).max(5).default(3),
    onTimeout: menuTargetSchema,
    onInvalid: menuTargetSchema,
  })
  .strict();
export type MenuStep = z.infer<typeof menuStepSchema>;

/** What the digits a caller pressed mean for a menu. */
export type MenuChoice =
  | { readonly kind: 'option'; readonly digit: string; readonly target: MenuTarget }
  | { readonly kind: 'direct'; readonly extension: string }
  | { readonly kind: 'timeout' }
  | { readonly kind: 'invalid'; readonly digits: string; readonly target: MenuTarget };

export function menuChoice(
  menu: MenuStep,
  digits: string | undefined,
  extensions: ReadonlySet<string>,
): MenuChoice {
  if (!digits) return { kind: 'timeout' };
  const option = menu.options.find((one) => one.digit === digits);
  if (option) return { kind: 'option', digit: digits, target: option.goTo };
  if (menu.directDial && extensions.has(digits)) return { kind: 'direct', extension: digits };
  return { kind: 'invalid', digits, target: menu.onInvalid };
}

/** Read()'s maxdigits: one digit, or the longest extension number when direct dial is on. */
export function menuMaxDigits(menu: MenuStep, extensions: Iterable<string>): number {
  if (!menu.directDial) return 1;
  let longest = 1;
  for (const number of extensions) longest = Math.max(longest, number.length);
  return longest;
}

/** For the call log: what the caller did at the menu. */
export function menuOutcome(digits: string | undefined): string {
  return digits ? `pressed ${digits}` : 'no input';
}

export function targetText(target: MenuTarget): string {
  return 'step' in target ? `step ${target.step}` : `route ${target.route}`;
}

/** What the menu checks read of the document (structural: no import of model.ts). */
interface StepShape {
  readonly type: string;
  readonly advanceOn?: readonly string[];
}
interface MenuDocument {
  readonly routes: readonly {
    readonly id: string;
    readonly plans: Readonly<Record<string, readonly StepShape[] | undefined>>;
  }[];
  readonly settings: { readonly unknownDid?: readonly StepShape[] | undefined };
}

/** settings.unknownDid's plan runs under this route id (contract UNKNOWN_ROUTE_ID). */
const UNKNOWN_DID = '_unknown';

const isMenu = (step: StepShape | undefined): step is StepShape & MenuStep => step?.type === 'menu';

/**
 * Every menu's options and destinations: no digit twice, every step within its plan, every
 * route known, and no loop a silent caller would go round forever (a menu whose timeout leads,
 * through unanswered steps and other menus' timeouts, back to itself).
 */
export function checkMenus(config: MenuDocument, ctx: z.RefinementCtx): void {
  const routes = new Map(config.routes.map((route) => [route.id, route]));
  // The unknown-DID plan can hold menus too: checked as a route of its own, at its own path.
  const unknownDid = config.settings.unknownDid;
  const places: {
    id: string;
    plans: Record<string, readonly StepShape[] | undefined>;
    path: (key: string) => (string | number)[];
  }[] = config.routes.map((route, routeIndex) => ({
    id: route.id,
    plans: route.plans,
    path: (key: string) => ['routes', routeIndex, 'plans', key],
  }));
  if (unknownDid) {
    routes.set(UNKNOWN_DID, { id: UNKNOWN_DID, plans: { open: unknownDid } });
    places.push({ id: UNKNOWN_DID, plans: { open: unknownDid }, path: () => ['settings', 'unknownDid'] });
  }
  for (const route of places) {
    for (const [planKey, plan] of Object.entries(route.plans)) {
      plan?.forEach((step, stepIndex) => {
        if (!isMenu(step)) return;
        const at = (...rest: (string | number)[]) => [...route.path(planKey), stepIndex, ...rest];
        const seen = new Set<string>();
        step.options.forEach((option, o) => {
          if (seen.has(option.digit))
            ctx.addIssue({
              code: 'custom',
              path: at('options', o, 'digit'),
              message: `digit ${option.digit} is already an option`,
            });
          seen.add(option.digit);
        });
        const targets: [MenuTarget, (string | number)[]][] = [
          ...step.options.map((option, o): [MenuTarget, (string | number)[]] => [
            option.goTo,
            at('options', o, 'goTo'),
          ]),
          [step.onTimeout, at('onTimeout')],
          [step.onInvalid, at('onInvalid')],
        ];
        for (const [target, path] of targets) {
          if ('step' in target && target.step > plan.length)
            ctx.addIssue({
              code: 'custom',
              path,
              message: `no step ${target.step}: the plan has ${plan.length}`,
            });
          if ('route' in target && !routes.has(target.route))
            ctx.addIssue({ code: 'custom', path, message: `unknown route ${target.route}` });
        }
        const loop = silentLoop(routes, route.id, planKey, stepIndex);
        if (loop)
          ctx.addIssue({
            code: 'custom',
            path: at('onTimeout'),
            message: `a caller who presses nothing goes round forever: ${loop}`,
          });
      });
    }
  }
}

/**
 * Follows a silent caller from a menu: its timeout destination, then each unanswered step in
 * plan order (a step that does not advance on no-answer, voicemail, reject or the plan's end
 * ends the way). Answers the loop as text when a way comes back to a place already on it.
 */
function silentLoop(
  routes: ReadonlyMap<string, MenuDocument['routes'][number]>,
  routeId: string,
  planKey: string,
  stepIndex: number,
): string | undefined {
  const done = new Set<string>();
  const walk = (r: string, p: string, s: number, path: string[]): string | undefined => {
    const name = `${r}/${p}/step ${s + 1}`;
    if (path.includes(name)) return [...path, name].join(' -> ');
    // A place already followed to its end (without a loop) needs no second look.
    if (done.has(name)) return undefined;
    const plan = routes.get(r)?.plans[p];
    const step = plan?.[s];
    const ways: [string, string, number][] = [];
    if (step && isMenu(step)) {
      const target = step.onTimeout;
      if ('step' in target) ways.push([r, p, target.step - 1]);
      else {
        const other = routes.get(target.route);
        // The schedule picks the plan at call time: each of the route's plans is a way on.
        for (const [key, otherPlan] of Object.entries(other?.plans ?? {}))
          if (otherPlan) ways.push([target.route, key, 0]);
      }
    } else if (step && step.type !== 'voicemail' && step.type !== 'reject') {
      if (!step.advanceOn || step.advanceOn.includes('no-answer')) ways.push([r, p, s + 1]);
    }
    for (const [nr, np, ns] of ways) {
      const loop = walk(nr, np, ns, [...path, name]);
      if (loop) return loop;
    }
    done.add(name);
    return undefined;
  };
  return walk(routeId, planKey, stepIndex, []);
}
