import { AgiQuery } from '@switchboard/contract';
import type { AgiScriptHandler } from '../agi/index.js';
import { classifyOutbound } from '../routing/outbound.js';
import { decisionFor, deniedDecision } from '../routing/outbound-decision.js';
import type { CallEvent } from '../store/types.js';
import { agiInput, queryValue } from './agi-inputs.js';
import { attemptEvents } from './attempt-event.js';
import { readLinkedId } from './call-facts.js';
import { firstDecisionVariables } from './decision-variables.js';
import type { HandlerDeps } from './deps.js';

/**
 * `outbound`: an extension dialled something. The calling extension is the PJSIP endpoint the
 * call came from (never a caller ID the phone could set itself); the dialled digits are checked
 * by the policy, then by the per-extension limits, before a trunk is named.
 */
export function createOutboundHandler(deps: HandlerDeps): AgiScriptHandler {
  return async (session) => {
    const { query } = session.env;
    const snapshot = deps.snapshot();
    const now = deps.clock();
    const linkedId = readLinkedId(session);
    const endpoint = queryValue(query, AgiQuery.endpoint, agiInput.endpoint);
    const dialledValue = queryValue(query, AgiQuery.dialled, agiInput.dialled);
    const dialled = dialledValue ?? '';
    const extension = endpoint ? (snapshot.extensionByEndpoint.get(endpoint) ?? '') : '';

    // Classified once; the limits (state, at the edge) apply only to an external, non-emergency call.
    const verdict = dialledValue ? classifyOutbound(snapshot, extension, dialled) : undefined;
    let decision = verdict
      ? decisionFor(snapshot, verdict, 0, extension)
      : deniedDecision(snapshot, 'not-a-number', undefined);
    if (verdict?.kind === 'external' && verdict.policy && !verdict.emergency) {
      const admitted = await deps.outboundLimiter.admit(extension, linkedId, verdict.policy, now.getTime());
      if (admitted !== 'ok') decision = deniedDecision(snapshot, admitted, verdict.number);
    }
    // The decision is the session's last command: it goes out with our end of the connection, so
    // Asterisk goes on in the dialplan as soon as it has run it (docs/fastagi.md); nothing below
    // delays the call.
    await session.setVariables(firstDecisionVariables(decision, { extension, dialled }), { end: true });

    const at = now.toISOString();
    const number =
      verdict && verdict.kind !== 'internal'
        ? verdict.number
        : verdict?.kind === 'internal'
          ? verdict.extension
          : undefined;
    const events: CallEvent[] = [
      {
        type: 'start',
        linkedId,
        at,
        callSid: undefined,
        did: number,
        caller: extension || undefined,
        routeId: decision.position?.routeId,
        version: decision.version,
        plan: 'outbound',
        note:
          decision.action === 'hangup' && decision.reason === 'denied'
            ? `denied: ${decision.detail}`
            : undefined,
        signature: undefined,
      },
    ];
    events.push(...attemptEvents(linkedId, at, decision));
    deps.callLog.record(...events);
    const denied = decision.action === 'hangup' && decision.reason === 'denied';
    if (decision.action === 'hangup' && denied)
      deps.metrics.outboundDenials.inc({ reason: decision.detail ?? 'unknown' });
    deps.logger[denied ? 'warn' : 'info'](
      {
        event: 'outbound-call',
        uniqueid: session.env.uniqueId,
        linkedid: linkedId,
        extension,
        dialled,
        action: decision.action,
        dial: decision.action === 'dial' ? decision.dial : undefined,
        callerId: decision.action === 'dial' ? decision.callerIdNumber : undefined,
        denied: decision.action === 'hangup' && denied ? decision.detail : undefined,
        step: decision.label,
      },
      denied ? 'outbound call denied' : 'outbound call routed',
    );
  };
}
