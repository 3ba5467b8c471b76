import { AgiQuery } from '@switchboard/contract';
import type { AgiScriptHandler } from '../agi/index.js';
import { continueOutbound, OUTBOUND_ROUTE } from '../routing/outbound-decision.js';
import { continueCall } from '../routing/router.js';
import type { CallEvent } from '../store/types.js';
import { attemptEvents } from './attempt-event.js';
import { outcomeOfDialStatus, readLinkedId, readPosition } from './call-facts.js';
import { decisionVariables } from './decision-variables.js';
import type { HandlerDeps } from './deps.js';

/** `next`: a Dial() returned; its DIALSTATUS decides the next attempt or the end of the call. */
export function createNextHandler(deps: HandlerDeps): AgiScriptHandler {
  return async (session) => {
    const position = readPosition(session);
    const dialStatus = session.env.query[AgiQuery.dialStatus];
    const outcome = outcomeOfDialStatus(dialStatus);
    const facts = { did: undefined, caller: session.env.callerId, callerName: session.env.callerIdName };
    const { query } = session.env;
    const outbound =
      position.routeId === OUTBOUND_ROUTE
        ? { extension: query[AgiQuery.extension] ?? '', dialled: query[AgiQuery.number] ?? '' }
        : undefined;
    const decision = outbound
      ? continueOutbound(deps.snapshot(), outbound.extension, outbound.dialled, position.attempt, outcome)
      : continueCall(deps.snapshot(), position, outcome, facts);
    await session.setVariables(decisionVariables(decision, outbound));

    const linkedId = readLinkedId(session);
    const at = deps.clock().toISOString();
    const events: CallEvent[] = [{ type: 'outcome', linkedId, attempt: position.attempt, outcome }];
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
