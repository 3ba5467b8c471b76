/**
 * How long a plan can keep the caller ringing before something answers: the one computation the
 * routing document's validation, `explain` and the console share. Pure, no imports: it reads only
 * the fields it names, so the model can use it without an import cycle.
 *
 * With answerOnBridge the Twilio edge sees the PBX leg answered only when a phone or VoiceMail()
 * answers, so this is what the edge must be willing to wait (see docs/twilio.md).
 */

export interface RingStepShape {
  readonly type: string;
  readonly timeoutSeconds?: number;
  /** A hunt rings its members one after another, each for timeoutSeconds. */
  readonly extensions?: readonly string[];
  readonly extension?: string;
}

export interface RingTime {
  /** Upper bound: every ringing step rings its full timeout and the plan always moves on. */
  readonly seconds: number;
  /** What ends the ringing: a step that answers, a step that rejects, or the plan's end. */
  readonly until: 'voicemail' | 'menu' | 'reject' | 'plan-end';
}

/**
 * `stepSeconds` overrides a step's ringing when it rings longer than its own timeout (an extension
 * with follow-me: desk phone, external numbers and screening; routing/follow-me-model.ts).
 */
export function planRingTime(
  plan: readonly RingStepShape[],
  stepSeconds?: (step: RingStepShape) => number | undefined,
): RingTime {
  let seconds = 0;
  for (const step of plan) {
    if (step.type === 'voicemail') return { seconds, until: 'voicemail' };
    // A menu answers the call to play its prompt: the edge stops waiting there.
    if (step.type === 'menu') return { seconds, until: 'menu' };
    if (step.type === 'reject') return { seconds, until: 'reject' };
    const members = step.type === 'hunt' ? (step.extensions?.length ?? 1) : 1;
    seconds += stepSeconds?.(step) ?? (step.timeoutSeconds ?? 0) * members;
  }
  return { seconds, until: 'plan-end' };
}

/** Why the edge would cut this plan short, or undefined when it fits with `marginSeconds` to spare. */
export function edgeCutReason(
  ring: RingTime,
  edgeWaitSeconds: number,
  marginSeconds: number,
  maxEdgeWaitSeconds: number,
): string | undefined {
  const needed = ring.seconds + marginSeconds;
  if (needed <= edgeWaitSeconds) return undefined;
  const before =
    ring.until === 'voicemail'
      ? 'before voicemail answers'
      : ring.until === 'menu'
        ? 'before its menu answers'
        : 'before it ends';
  const fix =
    needed <= maxEdgeWaitSeconds
      ? `shorten the plan or raise settings.edgeDialTimeoutSeconds and the Function's DIAL_TIMEOUT to at least ${needed}`
      : `shorten the plan to at most ${maxEdgeWaitSeconds - marginSeconds}s of ringing (Twilio waits ${maxEdgeWaitSeconds}s at most)`;
  return (
    `rings up to ${ring.seconds}s ${before}, but the Twilio edge stops waiting after ${edgeWaitSeconds}s ` +
    `(settings.edgeDialTimeoutSeconds, the Function's DIAL_TIMEOUT; ${marginSeconds}s kept free): ` +
    `Twilio would cancel the call first; ${fix}`
  );
}
