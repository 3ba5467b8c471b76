import type { AgiScriptHandler } from '../agi/index.js';
import { routeCall } from '../routing/router.js';
import type { CallEvent } from '../store/types.js';
import { attemptEvents } from './attempt-event.js';
import { readInboundFacts } from './call-facts.js';
import { firstDecisionVariables } from './decision-variables.js';
import type { HandlerDeps } from './deps.js';

/** `inbound`: a call arrives from Twilio; decide its first step and say so in one round trip. */
export function createInboundHandler(deps: HandlerDeps): AgiScriptHandler {
  return async (session) => {
    const now = deps.clock();
    const snapshot = deps.snapshot();
    const facts = await readInboundFacts(session, deps, snapshot.config.settings.defaultCountry, now);
    const decision = routeCall(snapshot, facts, now);
    // The decision is the session's last command: it goes out with our end of the connection, so
    // Asterisk goes on in the dialplan as soon as it has run it (docs/fastagi.md); nothing below
    // delays the call.
    await session.setVariables(firstDecisionVariables(decision), { end: true });

    // Everything below is off the call's path: the dialplan has its answer and goes on.
    const at = now.toISOString();
    const events: CallEvent[] = [
      {
        type: 'start',
        linkedId: facts.linkedId,
        at,
        callSid: facts.callSid,
        did: facts.did,
        caller: facts.caller,
        routeId: decision.position?.routeId,
        version: decision.version,
        plan: decision.position?.planKey,
        // A call refused at once keeps why (no route, reject step): `calls tail` shows it as the reason.
        note: facts.callSidUnrecognised
          ? 'unrecognised X-Twilio-CallSid kept as received (sanitised)'
          : decision.action === 'hangup' || decision.blocked
            ? decision.label
            : undefined,
        signature: facts.signature,
      },
    ];
    events.push(...attemptEvents(facts.linkedId, at, decision));
    deps.callLog.record(...events);
    deps.metrics.routeHits.inc({ route: decision.position?.routeId ?? 'none' });
    deps.metrics.headerSignatures.inc({ status: facts.signature });
    const untrusted = facts.signature !== 'absent' && facts.signature !== 'valid';
    deps.logger[untrusted ? 'warn' : 'info'](
      {
        event: 'inbound-call',
        uniqueid: session.env.uniqueId,
        linkedid: facts.linkedId,
        callSid: facts.callSid,
        // Fields that do not apply are undefined, which pino leaves out of the line (no spreads:
        // this object is built for every call).
        callSidUnrecognised: facts.callSidUnrecognised || undefined,
        did: facts.did,
        caller: facts.caller,
        signature: facts.signature,
        routeKey: facts.routeKey || undefined,
        route: decision.position?.routeId,
        plan: decision.position?.planKey,
        version: decision.version,
        action: decision.action,
        dial: decision.action === 'dial' ? decision.dial : undefined,
        reason: decision.action === 'hangup' ? decision.reason : undefined,
        step: decision.label,
        // Only when the caller left during the session (the usual false would lengthen every line).
        hungUp: session.hungUp || undefined,
      },
      untrusted
        ? 'inbound call routed on the DID alone: X-SB- signature not accepted'
        : 'inbound call routed',
    );
  };
}
