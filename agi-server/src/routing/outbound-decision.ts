import { OUTBOUND_ROUTE_ID } from '@switchboard/contract';
import {
  type Decision,
  dialTargets,
  dialViaTrunk,
  HangupCause,
  hangup,
  type PlanPosition,
} from './decision.js';
import type { Outcome } from './model.js';
import { classifyOutbound, type DenialReason, type OutboundVerdict } from './outbound.js';
import { recordingFor } from './recording-model.js';
import type { RoutingSnapshot } from './snapshot.js';

/**
 * Outbound calls as decisions for the dialplan, pure. Trunk failover reuses the inbound loop:
 * attempt N is trunk N, and `next` moves on only when a trunk fails (5xx, timeout), never when the
 * called party is busy or does not answer.
 */

/** Not a valid route id: stands for an outbound call in SB_ROUTE. */
export const OUTBOUND_ROUTE = OUTBOUND_ROUTE_ID;

export type LimitReason = 'calls-per-minute' | 'concurrent';

export function deniedDecision(
  snapshot: RoutingSnapshot,
  reason: DenialReason | LimitReason,
  number: string | undefined,
): Decision {
  return {
    ...hangup(
      snapshot,
      { routeId: OUTBOUND_ROUTE, planKey: 'open', attempt: 0 },
      'denied',
      HangupCause.congestion,
      `denied: ${reason}${number ? ` (${number})` : ''}`,
    ),
    reject: 'congestion',
    detail: reason,
  };
}

export function decideOutbound(
  snapshot: RoutingSnapshot,
  extension: string,
  dialled: string,
  attempt: number,
): Decision {
  return decisionFor(snapshot, classifyOutbound(snapshot, extension, dialled), attempt, extension);
}

/** The decision for attempt `attempt` of an already classified call (classify once per call). */
export function decisionFor(
  snapshot: RoutingSnapshot,
  verdict: OutboundVerdict,
  attempt: number,
  /** The calling extension: recording rules per extension match it. */
  caller?: string,
): Decision {
  const decision = outboundDecision(snapshot, verdict, attempt);
  if (decision.action !== 'dial') return decision;
  const record = recordingFor(snapshot.config.recording, 'outbound', undefined, caller ? [caller] : []);
  return record ? { ...decision, record } : decision;
}

function outboundDecision(snapshot: RoutingSnapshot, verdict: OutboundVerdict, attempt: number): Decision {
  const position: PlanPosition = { routeId: OUTBOUND_ROUTE, planKey: 'open', attempt };
  const timeoutSeconds = snapshot.config.outbound.ringTimeoutSeconds;
  if (verdict.kind === 'denied') return deniedDecision(snapshot, verdict.reason, verdict.number);
  if (verdict.kind === 'internal') {
    if (attempt > 0) return hangup(snapshot, position, 'plan-end', HangupCause.noAnswer, 'end of plan');
    return {
      version: snapshot.version,
      position,
      action: 'dial',
      dial: dialTargets(snapshot, [verdict.extension]),
      timeoutSeconds,
      options: '',
      callerIdName: undefined,
      callerIdNumber: undefined,
      targets: [verdict.extension],
      label: `internal ${verdict.extension}`,
    };
  }
  const trunk = verdict.trunks[attempt];
  if (!trunk) return hangup(snapshot, position, 'plan-end', HangupCause.congestion, 'every trunk failed');
  return {
    version: snapshot.version,
    position,
    action: 'dial',
    dial: dialViaTrunk(verdict.number, trunk.endpoint),
    timeoutSeconds,
    options: '',
    callerIdName: undefined,
    callerIdNumber: verdict.callerId,
    targets: [verdict.number],
    label: `${verdict.emergency ? 'emergency ' : ''}${verdict.number} via trunk ${trunk.id}`,
  };
}

/** After a Dial of an outbound call: next trunk on a trunk failure, otherwise the end. */
export function continueOutbound(
  snapshot: RoutingSnapshot,
  extension: string,
  dialled: string,
  attempt: number,
  outcome: Outcome | 'answered',
): Decision {
  const position: PlanPosition = { routeId: OUTBOUND_ROUTE, planKey: 'open', attempt };
  if (outcome === 'answered') return hangup(snapshot, position, 'answered', HangupCause.normal, 'answered');
  if (outcome !== 'unavailable' && outcome !== 'failed') {
    return hangup(
      snapshot,
      position,
      'not-advanced',
      HangupCause.normal,
      `${outcome}: no other trunk is tried`,
    );
  }
  return decideOutbound(snapshot, extension, dialled, attempt + 1);
}
