import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { ACCOUNT_SID, CALLER, E164, NONCE, OPTIONAL_ID } from './patterns.js';

/**
 * The contract between the Twilio Function (which puts call metadata on the SIP URI of
 * <Dial><Sip>) and the AGI server (which reads it from the INVITE): header names, their
 * encoding, and an HMAC over them so that a forged INVITE cannot pick a route (see docs/sip-headers.md).
 * Imported by functions/ (bundled) and agi-server/ alike: one definition, no drift.
 */

/** Our own prefix: names starting with X-Twilio are Twilio's (warning 32113). */
export const SB_HEADER = {
  did: 'X-SB-Did',
  caller: 'X-SB-Caller',
  route: 'X-SB-Route',
  timestamp: 'X-SB-Ts',
  nonce: 'X-SB-Nonce',
  signature: 'X-SB-Sig',
} as const;

/** What Twilio itself puts on the INVITE of a <Dial><Sip> (see docs/sip-headers.md). */
export const TWILIO_HEADER = {
  callSid: 'X-Twilio-CallSid',
  accountSid: 'X-Twilio-AccountSid',
} as const;

/** An HMAC-SHA256 key shorter than this is refused by sign and verify alike. */
export const MIN_SECRET_BYTES = 32;

/** Twilio: the header part of a <Sip> URI must stay under 1024 characters (error 21227). */
export const MAX_HEADER_PART = 1023;
/** Twilio: the SIP URI itself (without headers) must stay under 255 characters. */
export const MAX_BASE_URI = 254;
/** How old (or how far in the future) a signed timestamp may be when the INVITE arrives. */
export const DEFAULT_WINDOW_SECONDS = 300;

export const FIELD_LIMITS = { did: 16, caller: 64, route: 63 } as const;

export interface CallMetadata {
  /** The dialled number, E.164. */
  readonly did: string;
  /** The original caller as Twilio saw it (E.164, `anonymous`, or a client/SIP identity). */
  readonly caller: string;
  /** A route id chosen at the edge, or empty. */
  readonly route: string;
}

/**
 * What binds a header set to one call of one account, besides the DID it carries: the account
 * Twilio names in X-Twilio-AccountSid (a header set replayed through another Twilio account
 * arrives with that account's SID) and a random nonce, so that a header set is accepted once.
 */
export interface SignatureBinding {
  /** Unix seconds when the Function signed. */
  readonly timestamp: number;
  /** 16 random bytes, base64url (22 characters). */
  readonly nonce: string;
  /** The Twilio account the call belongs to (AC + 32 hex digits). */
  readonly accountSid: string;
}

export interface SignedMetadata extends CallMetadata, SignatureBinding {
  readonly signature: string;
}

/** X-SB-Sig: HMAC-SHA256, base64url without padding. */
const SIGNATURE = /^[A-Za-z0-9_-]{43}$/;

export class MetadataError extends Error {
  override name = 'MetadataError';
}

/** A secret too short to be an HMAC key worth the name: a configuration error, never a call's. */
export class WeakSecretError extends Error {
  override name = 'WeakSecretError';
}

export function assertSecret(secret: string): void {
  if (Buffer.byteLength(secret, 'utf8') < MIN_SECRET_BYTES)
    throw new WeakSecretError(`the header secret must be at least ${MIN_SECRET_BYTES} bytes`);
}

/** Checks field values before signing: anything else never reaches a URI or the dialplan. */
export function assertMetadata(metadata: CallMetadata): void {
  if (!E164.test(metadata.did)) throw new MetadataError(`DID must be E.164: ${JSON.stringify(metadata.did)}`);
  if (!CALLER.test(metadata.caller)) throw new MetadataError(`caller has unexpected characters or length`);
  if (!OPTIONAL_ID.test(metadata.route)) throw new MetadataError(`route key must be a route id`);
}

/** Field order and a version tag, newline-separated: no field can contain a newline. */
function canonical(metadata: CallMetadata, binding: SignatureBinding): string {
  return [
    'sb2',
    metadata.did,
    metadata.caller,
    metadata.route,
    String(binding.timestamp),
    binding.nonce,
    binding.accountSid,
  ].join('\n');
}

export function sign(metadata: CallMetadata, secret: string, binding: SignatureBinding): string {
  assertSecret(secret);
  return createHmac('sha256', secret).update(canonical(metadata, binding)).digest('base64url');
}

export function newNonce(): string {
  return randomBytes(16).toString('base64url');
}

export function signMetadata(
  metadata: CallMetadata,
  secret: string,
  options: { now: Date; accountSid: string; nonce?: string },
): SignedMetadata {
  assertMetadata(metadata);
  if (!ACCOUNT_SID.test(options.accountSid))
    throw new MetadataError('account SID must be AC + 32 hex digits');
  const binding: SignatureBinding = {
    timestamp: Math.floor(options.now.getTime() / 1000),
    nonce: options.nonce ?? newNonce(),
    accountSid: options.accountSid,
  };
  if (!NONCE.test(binding.nonce)) throw new MetadataError('nonce must be 16 bytes, base64url');
  return { ...metadata, ...binding, signature: sign(metadata, secret, binding) };
}

/** The `?X-SB-…` part of the <Sip> URI, values URL-encoded (`+` is `%2B`). */
export function headerPart(signed: SignedMetadata): string {
  const pairs: Array<[string, string]> = [
    [SB_HEADER.did, signed.did],
    [SB_HEADER.caller, signed.caller],
    ...(signed.route ? ([[SB_HEADER.route, signed.route]] as Array<[string, string]>) : []),
    [SB_HEADER.timestamp, String(signed.timestamp)],
    [SB_HEADER.nonce, signed.nonce],
    [SB_HEADER.signature, signed.signature],
  ];
  return pairs.map(([name, value]) => `${name}=${encodeURIComponent(value)}`).join('&');
}

/**
 * The <Sip> URI. Over TLS it also asks Twilio for SRTP media (`secure=true`, Twilio's "Secure
 * Media"): TLS without it would still carry the caller's audio in clear (see docs/tls.md).
 */
export function sipUriFor(
  options: { did: string; host: string; transport: 'udp' | 'tcp' | 'tls' },
  signed: SignedMetadata,
): string {
  const secure = options.transport === 'tls' ? ';secure=true' : '';
  const base = `sip:${options.did}@${options.host};transport=${options.transport}${secure}`;
  const headers = headerPart(signed);
  if (base.length > MAX_BASE_URI) throw new MetadataError(`SIP URI longer than ${MAX_BASE_URI} characters`);
  if (headers.length > MAX_HEADER_PART)
    throw new MetadataError(`SIP URI headers longer than ${MAX_HEADER_PART} characters`);
  return `${base}?${headers}`;
}

export type SignatureStatus =
  /** No X-SB- header at all (Elastic SIP Trunking origination): route on the DID. */
  | 'absent'
  | 'valid'
  /** Headers present but the HMAC does not match (forged or altered, or another secret). */
  | 'invalid'
  /** The HMAC matches but the timestamp is outside the window (replayed late). */
  | 'stale'
  /** Headers present but incomplete or malformed, or no secret configured to check them. */
  | 'malformed'
  /** X-Twilio-AccountSid is not our account (a header set replayed through another account). */
  | 'wrong-account'
  /** Signed for another DID than the one this INVITE is addressed to (replayed on another call). */
  | 'wrong-did'
  /** The nonce was already used by another call (replayed within the window). */
  | 'replayed';

export interface Verification {
  readonly status: SignatureStatus;
  /** Only for `valid`: the choices the edge made, safe to honour once the nonce is claimed. */
  readonly metadata: CallMetadata | undefined;
  /** Only for `valid`: the nonce to claim and until when (ms) it must stay claimed. */
  readonly nonce: { readonly value: string; readonly expiresAt: number } | undefined;
}

export interface ReceivedHeaders {
  readonly did?: string | undefined;
  readonly caller?: string | undefined;
  readonly route?: string | undefined;
  readonly timestamp?: string | undefined;
  readonly nonce?: string | undefined;
  readonly signature?: string | undefined;
}

/** What the INVITE itself says about the call, to hold the header set against. */
export interface CallContext {
  /** The number the INVITE is addressed to (its Request-URI), E.164; undefined if unknown. */
  readonly did: string | undefined;
  /** X-Twilio-AccountSid as received. */
  readonly accountSid: string | undefined;
  /** Our Twilio account; when set, any other X-Twilio-AccountSid is refused. */
  readonly expectedAccountSid: string | undefined;
}

const refused = (status: SignatureStatus): Verification => ({
  status,
  metadata: undefined,
  nonce: undefined,
});

/**
 * Verifies the X-SB- headers of an INVITE (values as read from the headers, already decoded)
 * against the call they arrived on. The nonce still has to be claimed (the replay cache is
 * state, kept by the caller: see SwitchboardStore.claimNonce).
 */
export function verifyHeaders(
  received: ReceivedHeaders,
  secret: string | undefined,
  now: Date,
  call: CallContext,
  windowSeconds = DEFAULT_WINDOW_SECONDS,
): Verification {
  const fields = [
    received.did,
    received.caller,
    received.route,
    received.timestamp,
    received.nonce,
    received.signature,
  ];
  if (fields.every((value) => value === undefined || value === '')) return refused('absent');
  if (secret !== undefined) assertSecret(secret);
  const metadata = { did: received.did ?? '', caller: received.caller ?? '', route: received.route ?? '' };
  const timestamp = Number(received.timestamp);
  const nonce = received.nonce ?? '';
  const accountSid = call.accountSid ?? '';
  if (
    !secret ||
    !/^\d{1,12}$/.test(received.timestamp ?? '') ||
    !NONCE.test(nonce) ||
    !ACCOUNT_SID.test(accountSid) ||
    !SIGNATURE.test(received.signature ?? '')
  ) {
    return refused('malformed');
  }
  try {
    assertMetadata(metadata);
  } catch {
    return refused('malformed');
  }
  if (call.expectedAccountSid !== undefined && accountSid !== call.expectedAccountSid)
    return refused('wrong-account');
  const expected = Buffer.from(sign(metadata, secret, { timestamp, nonce, accountSid }));
  const actual = Buffer.from(received.signature ?? '');
  if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) return refused('invalid');
  if (Math.abs(now.getTime() / 1000 - timestamp) > windowSeconds) return refused('stale');
  if (call.did !== metadata.did) return refused('wrong-did');
  return {
    status: 'valid',
    metadata,
    nonce: { value: nonce, expiresAt: (timestamp + windowSeconds) * 1000 },
  };
}
