import { AgiQuery } from '@switchboard/contract';
import { AgiRequestError, type AgiScriptHandler } from '../agi/index.js';
import { outcomeOfDialStatus } from '../call-outcome/dial-status.js';
import type { Decision } from '../routing/decision.js';
import { menuOutcome } from '../routing/menu-model.js';
import { continueOutbound, deniedDecision, OUTBOUND_ROUTE } from '../routing/outbound-decision.js';
import { continueCall } from '../routing/router.js';
import type { CallEvent } from '../store/types.js';
import { agiInput, queryValue } from './agi-inputs.js';
import { attemptEvents } from './attempt-event.js';
import { readLinkedId, readPosition } from './call-facts.js';
import { decisionVariables } from './decision-variables.js';
import type { HandlerDeps } from './deps.js';

/** `next`: a Dial() returned; its DIALSTATUS decides the next attempt or the end of the call. */
export function createNextHandler(deps: HandlerDeps): AgiScriptHandler {
  return async (session) => {
    const { query } = session.env;
    const position = readPosition(session);
    // No valid position: nothing to continue; the call goes to the fallback (`bad-request`).
    if (!position) throw new AgiRequestError('next: invalid route, plan or step in the AGI request');
    const dialStatus = queryValue(query, AgiQuery.dialStatus, agiInput.dialStatus);
    const outcome = outcomeOfDialStatus(dialStatus);
    // Present only after a menu's Read(): then `digits` is what the caller pressed (docs/menus.md).
    const fromMenu = queryValue(query, AgiQuery.readStatus, agiInput.readStatus) !== undefined;
    const digits = fromMenu ? queryValue(query, AgiQuery.digits, agiInput.digits) : undefined;
    const facts = { did: undefined, caller: session.env.callerId, callerName: session.env.callerIdName };
    const snapshot = deps.snapshot();
    // One reading of the clock for the decision and the call-log rows.
    const now = deps.clock();
    let decision: Decision;
    let outbound: { extension: string; dialled: string } | undefined;
    if (position.routeId === OUTBOUND_ROUTE) {
      // The extension and number come back from the dialplan: checked again, as on the way in.
      const extension = queryValue(query, AgiQuery.extension, agiInput.extension);
      const dialled = queryValue(query, AgiQuery.number, agiInput.number);
      outbound = extension && dialled ? { extension, dialled } : { extension: '', dialled: '' };
      decision =
        extension && dialled && snapshot.extensions.has(extension)
          ? continueOutbound(snapshot, extension, dialled, position.attempt, outcome)
          : deniedDecision(snapshot, 'not-a-number', undefined);
    } else {
      decision = continueCall(snapshot, position, outcome, facts, {
        fromMenu,
        digits,
        instant: now,
      });
    }
    // The decision is the session's last command: it goes out with our end of the connection, so
    // Asterisk goes on in the dialplan as soon as it has run it (docs/fastagi.md); nothing below
    // delays the call.
    await session.setVariables(decisionVariables(decision, outbound), { end: true });

    const linkedId = readLinkedId(session);
    const at = now.toISOString();
    // After a menu the row keeps what the caller pressed.
    const recorded = fromMenu ? menuOutcome(digits) : outcome;
    const events: CallEvent[] = [{ type: 'outcome', linkedId, attempt: position.attempt, outcome: recorded }];
    events.push(...attemptEvents(linkedId, at, decision));
    deps.callLog.record(...events);
    deps.logger.info(
      {
        event: 'next-step',
        uniqueid: session.env.uniqueId,
        linkedid: linkedId,
        route: position.routeId,
        dialStatus,
        outcome,
        action: decision.action,
        step: decision.label,
      },
      'dial finished; next step decided',
    );
  };
}
