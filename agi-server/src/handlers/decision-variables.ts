import { DialplanVariable as V } from '@switchboard/contract';
import type { Decision } from '../routing/decision.js';

/**
 * A decision as channel variables, every one of them every time (empty when it does not apply),
 * so that nothing from an earlier step lingers. Sent in one EXEC MSet round trip. Name/value
 * pairs, as setVariables takes them without Object.entries (an object of 23 computed keys and its
 * entries, per call, were a measurable share of a session's CPU).
 */
export function decisionVariables(
  decision: Decision,
  outbound: { extension: string; dialled: string } | undefined = undefined,
): Array<readonly [string, string]> {
  const position = decision.position;
  return [
    [V.action, decision.action],
    [V.dial, decision.action === 'dial' ? decision.dial : ''],
    [V.timeout, decision.action === 'dial' ? String(decision.timeoutSeconds) : ''],
    [V.options, decision.action === 'dial' ? decision.options : ''],
    [V.callerIdName, decision.action === 'dial' ? (decision.callerIdName ?? '') : ''],
    [V.mailbox, decision.action === 'voicemail' ? decision.mailbox : ''],
    [V.hangupCause, decision.action === 'hangup' ? String(decision.cause) : ''],
    [V.reject, decision.action === 'hangup' ? (decision.reject ?? '') : ''],
    [V.announcement, decision.action === 'hangup' ? (decision.announcement ?? '') : ''],
    [V.reason, decision.action === 'hangup' ? decision.reason : ''],
    [V.route, position?.routeId ?? ''],
    [V.plan, position?.planKey ?? ''],
    [V.step, position ? String(position.attempt) : ''],
    [V.version, String(decision.version)],
    [V.callerIdNumber, decision.action === 'dial' ? (decision.callerIdNumber ?? '') : ''],
    [V.extension, outbound?.extension ?? ''],
    [V.number, outbound?.dialled ?? ''],
    [V.menuPrompt, decision.action === 'menu' ? decision.prompt : ''],
    [V.menuDigits, decision.action === 'menu' ? String(decision.maxDigits) : ''],
    [V.menuTries, decision.action === 'menu' ? String(decision.tries) : ''],
    [V.menuTimeout, decision.action === 'menu' ? String(decision.timeoutSeconds) : ''],
    [V.record, decision.action === 'dial' && decision.record?.mode === 'always' ? '1' : ''],
    [
      V.recordAnnouncement,
      decision.action === 'dial' && decision.record?.mode === 'always'
        ? (decision.record.announcement ?? '')
        : '',
    ],
    [
      V.recordOnDemand,
      decision.action === 'dial' && decision.record?.mode === 'on-demand' ? decision.record.side : '',
    ],
    [V.trunkCallerId, decision.action === 'dial' ? (decision.trunkCallerId ?? '') : ''],
    [V.screenPrompt, decision.action === 'dial' ? (decision.screenPrompt ?? '') : ''],
  ];
}

/**
 * A channel's first decision (`inbound`, `outbound`): only the variables that carry a value. The
 * channel has no SB_ decision variable yet and an unset one reads as empty in the dialplan, so
 * there is nothing to clear; each variable Asterisk sets is a VarSet event published on the
 * call's own thread, before the call goes on (docs/fastagi.md, "How a session ends"). Later steps
 * (`next`) send every one, to clear what the previous step set.
 */
export function firstDecisionVariables(
  decision: Decision,
  outbound: { extension: string; dialled: string } | undefined = undefined,
): Array<readonly [string, string]> {
  return decisionVariables(decision, outbound).filter(([, value]) => value !== '');
}
