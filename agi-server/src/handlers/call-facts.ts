import {
  AgiQuery,
  CALL_SID,
  LOGGED_ROUTE_ID,
  type SignatureStatus,
  verifyHeaders,
} from '@switchboard/contract';
import { z } from 'zod';
import type { AgiSession } from '../agi/index.js';
import type { Outcome } from '../routing/model.js';
import type { CallFacts, PlanPosition } from '../routing/router.js';

/** What the dialplan tells us about a call, read from the AGI env and query and validated. */

const callSidSchema = z.string().regex(CALL_SID);
const linkedIdSchema = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/);

export interface InboundFacts extends CallFacts {
  /** How the INVITE's X-SB- headers checked out; only `valid` lets them choose anything. */
  readonly signature: SignatureStatus;
  readonly callSid: string | undefined;
  /** True when a CallSid was sent but is not of Twilio's form (logged, not used). */
  readonly callSidMalformed: boolean;
  /** Asterisk's linkedid: one id for every channel of the call; the call log's key. */
  readonly linkedId: string;
}

export function readInboundFacts(
  session: AgiSession,
  headerSecret: string | undefined,
  now: Date,
): InboundFacts {
  const { env } = session;
  const { query } = env;
  const rawCallSid = query[AgiQuery.callSid] || undefined;
  const callSid = rawCallSid === undefined ? undefined : callSidSchema.safeParse(rawCallSid);
  const verification = verifyHeaders(
    {
      did: query[AgiQuery.sbDid],
      caller: query[AgiQuery.sbCaller],
      route: query[AgiQuery.sbRoute],
      timestamp: query[AgiQuery.sbTimestamp],
      signature: query[AgiQuery.sbSignature],
    },
    headerSecret,
    now,
  );
  // A verified edge decides the DID, the caller and the route key; otherwise the INVITE's own
  // Request-URI and caller ID count, and no header-supplied choice is honoured.
  const signed = verification.metadata;
  return {
    did: signed?.did ?? (query[AgiQuery.did] || env.extension),
    caller: signed?.caller ?? env.callerId,
    callerName: env.callerIdName,
    routeKey: signed?.route || undefined,
    signature: verification.status,
    callSid: callSid?.success ? callSid.data : undefined,
    callSidMalformed: callSid !== undefined && !callSid.success,
    linkedId: readLinkedId(session),
  };
}

export function readLinkedId(session: AgiSession): string {
  const linked = linkedIdSchema.safeParse(session.env.query[AgiQuery.linkedId]);
  return linked.success ? linked.data : session.env.uniqueId;
}

const positionSchema = z.object({
  routeId: z.string().regex(LOGGED_ROUTE_ID),
  planKey: z.enum(['open', 'closed', 'holiday']),
  attempt: z.coerce.number().int().min(0).max(1000),
});

/** The plan position the previous decision left in SB_ROUTE / SB_PLAN / SB_STEP. */
export function readPosition(session: AgiSession): PlanPosition {
  const { query } = session.env;
  return positionSchema.parse({
    routeId: query[AgiQuery.route],
    planKey: query[AgiQuery.plan],
    attempt: query[AgiQuery.step],
  });
}

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
