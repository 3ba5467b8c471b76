import { createHmac, timingSafeEqual } from 'node:crypto';
import { CALLER, E164, OPTIONAL_ID } from './patterns.js';

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
  signature: 'X-SB-Sig',
} as const;

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

export interface SignedMetadata extends CallMetadata {
  /** Unix seconds when the Function signed. */
  readonly timestamp: number;
  readonly signature: string;
}

export class MetadataError extends Error {
  override name = 'MetadataError';
}

/** Checks field values before signing: anything else never reaches a URI or the dialplan. */
export function assertMetadata(metadata: CallMetadata): void {
  if (!E164.test(metadata.did)) throw new MetadataError(`DID must be E.164: ${JSON.stringify(metadata.did)}`);
  if (!CALLER.test(metadata.caller)) throw new MetadataError(`caller has unexpected characters or length`);
  if (!OPTIONAL_ID.test(metadata.route)) throw new MetadataError(`route key must be a route id`);
}

/** Field order and a version tag, newline-separated: no field can contain a newline. */
function canonical(metadata: CallMetadata, timestamp: number): string {
  return ['sb1', metadata.did, metadata.caller, metadata.route, String(timestamp)].join('\n');
}

export function sign(metadata: CallMetadata, secret: string, timestamp: number): string {
  return createHmac('sha256', secret).update(canonical(metadata, timestamp)).digest('base64url');
}

export function signMetadata(metadata: CallMetadata, secret: string, now: Date): SignedMetadata {
  assertMetadata(metadata);
  const timestamp = Math.floor(now.getTime() / 1000);
  return { ...metadata, timestamp, signature: sign(metadata, secret, timestamp) };
}

/** The `?X-SB-…` part of the <Sip> URI, values URL-encoded (`+` is `%2B`). */
export function headerPart(signed: SignedMetadata): string {
  const pairs: Array<[string, string]> = [
    [SB_HEADER.did, signed.did],
    [SB_HEADER.caller, signed.caller],
    ...(signed.route ? ([[SB_HEADER.route, signed.route]] as Array<[string, string]>) : []),
    [SB_HEADER.timestamp, String(signed.timestamp)],
    [SB_HEADER.signature, signed.signature],
  ];
  return pairs.map(([name, value]) => `${name}=${encodeURIComponent(value)}`).join('&');
}

export function sipUriFor(
  options: { did: string; host: string; transport: 'udp' | 'tcp' | 'tls' },
  signed: SignedMetadata,
): string {
  const base = `sip:${options.did}@${options.host};transport=${options.transport}`;
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
  /** The HMAC matches but the timestamp is outside the window (replayed). */
  | 'stale'
  /** Headers present but incomplete or malformed, or no secret configured to check them. */
  | 'malformed';

export interface Verification {
  readonly status: SignatureStatus;
  /** Only for `valid`: the choices the edge made, safe to honour. */
  readonly metadata: CallMetadata | undefined;
}

export interface ReceivedHeaders {
  readonly did?: string | undefined;
  readonly caller?: string | undefined;
  readonly route?: string | undefined;
  readonly timestamp?: string | undefined;
  readonly signature?: string | undefined;
}

/** Verifies the X-SB- headers of an INVITE (values as read from the headers, already decoded). */
export function verifyHeaders(
  received: ReceivedHeaders,
  secret: string | undefined,
  now: Date,
  windowSeconds = DEFAULT_WINDOW_SECONDS,
): Verification {
  const fields = [received.did, received.caller, received.route, received.timestamp, received.signature];
  if (fields.every((value) => value === undefined || value === ''))
    return { status: 'absent', metadata: undefined };
  const metadata = { did: received.did ?? '', caller: received.caller ?? '', route: received.route ?? '' };
  const timestamp = Number(received.timestamp);
  if (
    !secret ||
    !Number.isSafeInteger(timestamp) ||
    !received.signature ||
    !/^[A-Za-z0-9_-]{43}$/.test(received.signature)
  ) {
    return { status: 'malformed', metadata: undefined };
  }
  try {
    assertMetadata(metadata);
  } catch {
    return { status: 'malformed', metadata: undefined };
  }
  const expected = Buffer.from(sign(metadata, secret, timestamp));
  const actual = Buffer.from(received.signature);
  if (expected.length !== actual.length || !timingSafeEqual(expected, actual))
    return { status: 'invalid', metadata: undefined };
  if (Math.abs(now.getTime() / 1000 - timestamp) > windowSeconds)
    return { status: 'stale', metadata: undefined };
  return { status: 'valid', metadata };
}
