import { type DialDecision, dialTargets, dialViaTrunks, type PlanPosition } from './decision.js';
import type { FollowMe } from './follow-me-model.js';
import { classifyOutbound } from './outbound.js';
import type { RoutingSnapshot } from './snapshot.js';

/**
 * Follow-me as decisions, pure: the desk phone's Dial, then one Dial of every external number the
 * extension's outbound policy lets out (classifyOutbound, the code phones' calls go through: E.164
 * rules, policy, trunks, the caller ID we own), screened on answer. See docs/follow-me.md.
 */

/** Which part of a follow-me an attempt is. */
export type FollowMePart = 'desk' | 'external' | 'voicemail';

/** The external numbers that may go out, each with its trunk; and the ones refused, with why. */
export interface FollowMeLegs {
  readonly legs: readonly { readonly number: string; readonly trunk: string }[];
  readonly callerId: string | undefined;
  readonly refused: readonly string[];
}

export function followMeLegs(snapshot: RoutingSnapshot, extension: string, followMe: FollowMe): FollowMeLegs {
  const legs: { number: string; trunk: string }[] = [];
  const refused: string[] = [];
  let callerId: string | undefined;
  for (const number of followMe.numbers) {
    const verdict = classifyOutbound(snapshot, extension, number);
    if (verdict.kind === 'external' && !verdict.emergency && verdict.trunks[0]) {
      legs.push({ number: verdict.number, trunk: verdict.trunks[0].endpoint });
      callerId = verdict.callerId;
    } else {
      refused.push(`${number} (${verdict.kind === 'denied' ? verdict.reason : 'not external'})`);
    }
  }
  return { legs, callerId, refused };
}

/** The Dial of one follow-me attempt; undefined for the external part when no number may go out. */
export function followMeDial(
  snapshot: RoutingSnapshot,
  position: PlanPosition,
  extension: string,
  followMe: FollowMe,
  part: 'desk' | 'external',
  callerIdName: string | undefined,
): DialDecision | undefined {
  const base = { version: snapshot.version, position, action: 'dial' as const, options: '', callerIdName };
  if (part === 'desk')
    return {
      ...base,
      dial: dialTargets(snapshot, [extension]),
      timeoutSeconds: followMe.deskSeconds,
      targets: [extension],
      label: `follow-me ${extension}: desk phone for ${followMe.deskSeconds}s`,
    };
  const { legs, callerId, refused } = followMeLegs(snapshot, extension, followMe);
  if (legs.length === 0) return undefined;
  const numbers = legs.map((leg) => leg.number);
  const notes = [
    followMe.screening ? `screened (${followMe.screenPrompt}, only 1 connects)` : 'not screened',
    `caller ID ${callerId ?? 'the caller'}`,
    ...(refused.length ? [`not allowed: ${refused.join(', ')}`] : []),
  ];
  return {
    ...base,
    // One channel per number (each through its own first trunk), rung together: the first to
    // answer (and accept) wins, Dial() hangs up the others.
    dial: dialViaTrunks(legs),
    timeoutSeconds: followMe.ringSeconds,
    targets: numbers,
    // The trunk leg presents the number the outbound policy gives; the caller's own ID is untouched.
    trunkCallerId: callerId,
    screenPrompt: followMe.screening ? followMe.screenPrompt : undefined,
    label: `follow-me ${extension}: ${numbers.join(', ')} for ${followMe.ringSeconds}s; ${notes.join('; ')}`,
  };
}
