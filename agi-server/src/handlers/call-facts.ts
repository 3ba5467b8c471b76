import { AgiQuery, type SignatureStatus, toE164, verifyHeaders } from '@switchboard/contract';
import type { AgiSession } from '../agi/index.js';
import { MAX_ATTEMPT, type PlanPosition } from '../routing/decision.js';
import type { CallFacts } from '../routing/select-route.js';
import { agiInput, queryValue, sanitisedId } from './agi-inputs.js';
import type { HandlerDeps } from './deps.js';

/** What the dialplan tells us about a call, read from the AGI env and query and validated. */

export interface InboundFacts extends CallFacts {
  /** How the INVITE's X-SB- headers checked out; only `valid` lets them choose anything. */
  readonly signature: SignatureStatus;
  /** Twilio's CallSid, or what was sent in its place (sanitised) when it is not of its form. */
  readonly callSid: string | undefined;
  /** True when a CallSid was sent but is not of Twilio's form (kept sanitised, noted). */
  readonly callSidUnrecognised: boolean;
  /** Asterisk's linkedid: one id for every channel of the call; the call log's key. */
  readonly linkedId: string;
}

/**
 * The inbound call's facts. The DID is always the number the INVITE is addressed to, in E.164;
 * signed X-SB- headers only add the caller and a route key, and only when they were signed for
 * this DID and our account and their nonce was not used by another call (see docs/sip-headers.md).
 */
export async function readInboundFacts(
  session: AgiSession,
  deps: Pick<HandlerDeps, 'headerSecret' | 'twilioAccountSid' | 'claimNonce'>,
  defaultCountry: Parameters<typeof toE164>[1],
  now: Date,
): Promise<InboundFacts> {
  const { env } = session;
  const { query } = env;
  const linkedId = readLinkedId(session);
  const rawCallSid = query[AgiQuery.callSid] || undefined;
  const callSid = queryValue(query, AgiQuery.callSid, agiInput.callSid);
  const dialled = queryValue(query, AgiQuery.did, agiInput.did) ?? env.extension;
  const did = toE164(dialled, defaultCountry);
  const verification = verifyHeaders(
    {
      did: query[AgiQuery.sbDid],
      caller: query[AgiQuery.sbCaller],
      route: query[AgiQuery.sbRoute],
      timestamp: query[AgiQuery.sbTimestamp],
      nonce: query[AgiQuery.sbNonce],
      signature: query[AgiQuery.sbSignature],
    },
    deps.headerSecret,
    now,
    {
      did,
      accountSid: queryValue(query, AgiQuery.accountSid, agiInput.accountSid),
      expectedAccountSid: deps.twilioAccountSid,
    },
  );
  let status = verification.status;
  let signed = verification.metadata;
  if (verification.nonce) {
    const claimed = await deps
      .claimNonce(verification.nonce.value, linkedId, new Date(verification.nonce.expiresAt).toISOString())
      // A replay cache that cannot answer cannot vouch for the header set: route on the DID.
      .catch(() => false);
    if (!claimed) {
      status = 'replayed';
      signed = undefined;
    }
  }
  const caller = signed?.caller ?? env.callerId;
  return {
    // Unparseable: kept as dialled (sanitised) so the call log still shows what arrived.
    did: did ?? sanitisedId(dialled),
    caller,
    // Parsed once here; route matching and the blocklist both read it.
    callerE164: caller === undefined ? null : (toE164(caller, defaultCountry) ?? null),
    callerName: env.callerIdName,
    presentation: callingPresentation(env.callingPres),
    routeKey: signed?.route || undefined,
    signature: status,
    callSid: callSid ?? sanitisedId(rawCallSid),
    callSidUnrecognised: rawCallSid !== undefined && callSid === undefined,
    linkedId,
  };
}

export function readLinkedId(session: AgiSession): string {
  return queryValue(session.env.query, AgiQuery.linkedId, agiInput.linkedId) ?? session.env.uniqueId;
}

/** The plan position the previous decision left in SB_ROUTE / SB_PLAN / SB_STEP; undefined if invalid. */
export function readPosition(session: AgiSession): PlanPosition | undefined {
  const { query } = session.env;
  const routeId = queryValue(query, AgiQuery.route, agiInput.route);
  const planKey = queryValue(query, AgiQuery.plan, agiInput.plan);
  const attempt = queryValue(query, AgiQuery.step, agiInput.step);
  if (routeId === undefined || planKey === undefined || attempt === undefined || attempt > MAX_ATTEMPT)
    return undefined;
  return { routeId, planKey, attempt };
}

/** `agi_callingpres` (0–255, Asterisk's AST_PRES_* value); anything else reads as absent. */
export function callingPresentation(raw: string | undefined): number | undefined {
  return raw !== undefined && /^\d{1,3}$/.test(raw) ? Number(raw) : undefined;
}
