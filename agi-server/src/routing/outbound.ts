import { toE164 } from '@switchboard/contract';
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import type { OutboundPolicy, Trunk } from './outbound-model.js';
import type { RoutingSnapshot } from './snapshot.js';

/**
 * Outbound classification, pure: what an extension dialled becomes — another extension, an
 * external call through the trunks with a caller ID we own, an emergency call, or a denial with
 * its reason. Rate and concurrency limits are state, so they are checked at the edge (the
 * handler), after this.
 */

export type DenialReason =
  | 'unknown-extension'
  | 'not-a-number'
  | 'internal-only'
  | 'blocked-prefix'
  | 'not-national'
  | 'country-not-allowed'
  | 'no-caller-id'
  | 'no-trunk';

export type OutboundVerdict =
  | { readonly kind: 'internal'; readonly extension: string }
  | {
      readonly kind: 'external';
      /** E.164, or the emergency number as dialled (911). */
      readonly number: string;
      readonly emergency: boolean;
      /** Undefined only for an emergency call from an extension with no caller ID to present. */
      readonly callerId: string | undefined;
      readonly trunks: readonly Trunk[];
      readonly policy: OutboundPolicy | undefined;
    }
  | { readonly kind: 'denied'; readonly reason: DenialReason; readonly number: string | undefined };

/** 9+number, +E.164, 00/011 international, 10- and 11-digit NANP -> E.164. */
export function normaliseDialled(
  dialled: string,
  outsidePrefix: string,
  country: Parameters<typeof toE164>[1],
): string | undefined {
  const compact = dialled.replace(/[\s().-]/g, '');
  const candidates: string[] = [];
  if (outsidePrefix && compact.startsWith(outsidePrefix) && compact.length > outsidePrefix.length + 2) {
    candidates.push(compact.slice(outsidePrefix.length));
  }
  candidates.push(compact);
  for (const candidate of candidates) {
    let international = candidate;
    if (candidate.startsWith('00')) international = `+${candidate.slice(2)}`;
    else if (candidate.startsWith('011')) international = `+${candidate.slice(3)}`;
    const number = toE164(international, country);
    if (number) return number;
  }
  return undefined;
}

function countryOf(number: string): string | undefined {
  return parsePhoneNumberFromString(number)?.country;
}

export function policyFor(snapshot: RoutingSnapshot, extension: string): OutboundPolicy | undefined {
  const { outbound } = snapshot.config;
  const id = snapshot.extensions.get(extension)?.outboundPolicy ?? outbound.defaultPolicy;
  return outbound.policies.find((policy) => policy.id === id);
}

function trunksFor(snapshot: RoutingSnapshot, ids: readonly string[] | undefined): Trunk[] {
  const all = snapshot.config.outbound.trunks;
  return ids ? ids.flatMap((id) => all.filter((trunk) => trunk.id === id)) : [...all];
}

function callerIdFor(snapshot: RoutingSnapshot, extension: string): string | undefined {
  const { outbound } = snapshot.config;
  const owned = new Set(outbound.ownedNumbers);
  const own = snapshot.extensions.get(extension)?.outboundCallerId;
  if (own && owned.has(own)) return own;
  return outbound.defaultCallerId && owned.has(outbound.defaultCallerId)
    ? outbound.defaultCallerId
    : undefined;
}

export function classifyOutbound(
  snapshot: RoutingSnapshot,
  extension: string,
  dialled: string,
): OutboundVerdict {
  const { outbound, settings } = snapshot.config;
  if (!snapshot.extensions.has(extension))
    return { kind: 'denied', reason: 'unknown-extension', number: undefined };
  const digits = dialled.replace(/[\s().-]/g, '');
  // Internal first: an extension number never goes out.
  if (snapshot.extensions.has(digits)) return { kind: 'internal', extension: digits };

  const emergency = outbound.emergencyNumbers.find(
    (number) => digits === number || digits === `${outbound.outsidePrefix}${number}`,
  );
  if (emergency) {
    const trunks = trunksFor(snapshot, outbound.emergencyTrunks);
    if (trunks.length === 0) return { kind: 'denied', reason: 'no-trunk', number: emergency };
    return {
      kind: 'external',
      number: emergency,
      emergency: true,
      callerId: callerIdFor(snapshot, extension),
      trunks,
      policy: undefined,
    };
  }

  const number = normaliseDialled(digits, outbound.outsidePrefix, settings.defaultCountry);
  if (!number) return { kind: 'denied', reason: 'not-a-number', number: undefined };
  // Only numbers the numbering plan knows go out (a fictional area code has no country to check).
  if (!parsePhoneNumberFromString(number)?.isValid())
    return { kind: 'denied', reason: 'not-a-number', number };
  const policy = policyFor(snapshot, extension);
  if (!policy || policy.allow === 'internal') return { kind: 'denied', reason: 'internal-only', number };
  if (policy.blockedPrefixes.some((prefix) => number.startsWith(prefix)))
    return { kind: 'denied', reason: 'blocked-prefix', number };
  const country = countryOf(number);
  if (policy.allow === 'national' && country !== settings.defaultCountry)
    return { kind: 'denied', reason: 'not-national', number };
  if (
    policy.allow === 'countries' &&
    country !== settings.defaultCountry &&
    !policy.countries.includes(country as never)
  ) {
    return { kind: 'denied', reason: 'country-not-allowed', number };
  }
  const callerId = callerIdFor(snapshot, extension);
  if (!callerId) return { kind: 'denied', reason: 'no-caller-id', number };
  const trunks = trunksFor(snapshot, policy.trunks);
  if (trunks.length === 0) return { kind: 'denied', reason: 'no-trunk', number };
  return { kind: 'external', number, emergency: false, callerId, trunks, policy };
}
