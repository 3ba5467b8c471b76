import type { Decision } from '../routing/decision.js';
import type { CallEvent } from '../store/types.js';

/** The call-log row for the attempt a decision starts (a Dial or voicemail); none for a hangup. */
export function attemptEvents(linkedId: string, at: string, decision: Decision): CallEvent[] {
  if (decision.action === 'hangup' || !decision.position) return [];
  return [
    {
      type: 'attempt',
      linkedId,
      at,
      attempt: decision.position.attempt,
      label: decision.label,
      targets:
        decision.action === 'dial'
          ? decision.targets
          : decision.action === 'voicemail'
            ? [decision.mailbox]
            : [],
    },
  ];
}
