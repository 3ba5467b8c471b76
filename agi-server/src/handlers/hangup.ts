import { AgiQuery } from '@switchboard/contract';
import type { AgiScriptHandler } from '../agi/index.js';
import type { CallEvent, Disposition } from '../store/types.js';
import { agiInput, queryValue } from './agi-inputs.js';
import { endpointOfPeer, outcomeOfDialStatus, readLinkedId } from './call-facts.js';
import type { HandlerDeps } from './deps.js';

/**
 * `hangup`: the channel's hangup handler (a dead channel: most commands answer 511). Everything
 * it needs comes in the AGI request, so it sends no command at all: the final disposition goes
 * to the call log.
 */
export function createHangupHandler(deps: HandlerDeps): AgiScriptHandler {
  return async (session) => {
    const { query } = session.env;
    const linkedId = readLinkedId(session);
    // An outbound call admitted by the limiter is over: it no longer counts as in progress.
    deps.outboundLimiter.release(linkedId);
    const dialStatus = queryValue(query, AgiQuery.dialStatus, agiInput.dialStatus);
    const action = queryValue(query, AgiQuery.action, agiInput.action);
    const reason = queryValue(query, AgiQuery.reason, agiInput.reason);
    const endpoint = endpointOfPeer(queryValue(query, AgiQuery.peer, agiInput.peer));
    const now = deps.clock();
    const answeredMs = queryValue(query, AgiQuery.answeredMs, agiInput.answeredMs);

    const disposition = dispositionOf(dialStatus, action, reason);
    const answered = disposition === 'answered';
    const events: CallEvent[] = [];
    // A Dial the caller ended (or that never returned to `next`) still has an outcome to record.
    const attempt = queryValue(query, AgiQuery.step, agiInput.step);
    if (action === 'dial' && dialStatus && attempt !== undefined) {
      events.push({
        type: 'outcome',
        linkedId,
        attempt,
        outcome: dialStatus === 'CANCEL' ? 'abandoned' : outcomeOfDialStatus(dialStatus),
      });
    }
    events.push({
      type: 'end',
      linkedId,
      at: now.toISOString(),
      disposition,
      answeredBy:
        answered && endpoint ? (deps.snapshot().extensionByEndpoint.get(endpoint) ?? endpoint) : undefined,
      answeredAt:
        answered && answeredMs !== undefined ? new Date(now.getTime() - answeredMs).toISOString() : undefined,
    });
    deps.callLog.record(...events);
    deps.metrics.dispositions.inc({ disposition });
    deps.logger.info(
      { event: 'call-ended', linkedid: linkedId, disposition, dialStatus, endpoint },
      'call ended',
    );
  };
}

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
