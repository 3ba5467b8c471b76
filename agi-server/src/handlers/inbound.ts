import type { Logger } from 'pino';
import { z } from 'zod';
import type { AgiScriptHandler, AgiSession } from '../agi/index.js';
import { DialplanAction, DialplanVariable, InboundQuery } from '../dialplan-contract.js';
import { decideInbound, type InboundDecision, type InboundTable } from '../routing/inbound-table.js';

/** Q.850 cause 1, "unallocated number": chan_pjsip answers the caller with SIP 404. */
const CAUSE_UNALLOCATED = '1';

const callSidSchema = z.string().regex(/^CA[0-9a-f]{32}$/);

/** The call facts the dialplan hands us, validated: nothing unchecked goes further. */
export interface InboundFacts {
  readonly did: string | undefined;
  readonly caller: string | undefined;
  readonly callSid: string | undefined;
  /** True when a CallSid was sent but is not of Twilio's form (logged, not used). */
  readonly callSidMalformed: boolean;
  readonly linkedId: string | undefined;
}

export function readInboundFacts(session: AgiSession): InboundFacts {
  const { env } = session;
  const rawCallSid = env.query[InboundQuery.callSid] || undefined;
  const callSid = rawCallSid === undefined ? undefined : callSidSchema.safeParse(rawCallSid);
  return {
    did: env.query[InboundQuery.did] || env.extension,
    caller: env.callerId,
    callSid: callSid?.success ? callSid.data : undefined,
    callSidMalformed: callSid !== undefined && !callSid.success,
    linkedId: env.query[InboundQuery.linkedId] || undefined,
  };
}

export function channelVariablesFor(decision: InboundDecision): Record<string, string> {
  if (decision.action === 'dial') {
    return {
      [DialplanVariable.action]: DialplanAction.dial,
      [DialplanVariable.dial]: decision.dial,
      [DialplanVariable.timeout]: String(decision.timeoutSeconds),
    };
  }
  return {
    [DialplanVariable.action]: DialplanAction.hangup,
    [DialplanVariable.hangupCause]: CAUSE_UNALLOCATED,
  };
}

/** `inbound`: a call from Twilio arrives; decide where it rings and say so in one round trip. */
export function createInboundHandler(deps: { table: () => InboundTable; logger: Logger }): AgiScriptHandler {
  return async (session) => {
    const facts = readInboundFacts(session);
    const decision = decideInbound(deps.table(), facts.did);
    await session.setVariables(channelVariablesFor(decision));
    deps.logger.info(
      {
        event: 'inbound-call',
        uniqueid: session.env.uniqueId,
        linkedid: facts.linkedId,
        callSid: facts.callSid,
        ...(facts.callSidMalformed ? { callSidMalformed: true } : {}),
        did: facts.did,
        caller: facts.caller,
        action: decision.action,
        ...(decision.action === 'dial'
          ? { dial: decision.dial, matched: decision.matched }
          : { reason: decision.reason }),
        hungUp: session.hungUp,
      },
      'inbound call routed',
    );
  };
}
