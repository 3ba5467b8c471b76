import type { Outcome } from '../routing/model.js';
import type { Disposition } from '../store/types.js';

/*
 * What Asterisk's dial results mean for the call log, read the same way whether they arrive live
 * (the `next` and `hangup` AGI handlers) or after the fact from Asterisk's CDR (cdr/reconcile.ts).
 * Pure: a layer of its own below handlers/ and cdr/, so neither imports the other
 * (docs/architecture.md).
 */

/** Dial()'s DIALSTATUS as a plan outcome. CANCEL never reaches `next`: the caller is gone. */
export function outcomeOfDialStatus(dialStatus: string | undefined): Outcome | 'answered' {
  switch (dialStatus) {
    case 'ANSWER':
      return 'answered';
    case 'NOANSWER':
      return 'no-answer';
    case 'BUSY':
      return 'busy';
    case 'CHANUNAVAIL':
      return 'unavailable';
    default:
      return 'failed';
  }
}

/** `PJSIP/101-0000000a` -> `101`. */
export function endpointOfPeer(peer: string | undefined): string | undefined {
  return peer ? /^PJSIP\/(.+)-[0-9a-f]{8}$/.exec(peer)?.[1] : undefined;
}

/** A call's final disposition from its last DIALSTATUS and the decision (SB_ACTION, SB_REASON). */
export function dispositionOf(
  dialStatus: string | undefined,
  action: string | undefined,
  reason: string | undefined,
): Disposition {
  if (dialStatus === 'ANSWER') return 'answered';
  if (action === 'voicemail') return 'voicemail';
  if (action === 'hangup') {
    if (reason === 'rejected' || reason === 'blocked' || reason === 'unknown-did' || reason === 'denied')
      return 'rejected';
    if (reason === 'plan-end' || reason === 'not-advanced') return 'unanswered';
    return 'failed';
  }
  // The caller left during a Dial or while a menu was waiting for digits.
  if (action === 'dial' || action === 'menu') return 'abandoned';
  return 'failed';
}
