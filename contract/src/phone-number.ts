import { type CountryCode, parsePhoneNumberFromString } from 'libphonenumber-js';
import { E164 } from './patterns.js';

/**
 * Number normalisation with libphonenumber-js: `+19863334949`, `19863334949` and `9863334949`
 * (default country US) are the same DID. Already-E.164 input skips the parser: that is what
 * Twilio sends, so the AGI hot path rarely pays for a parse.
 */

export function toE164(raw: string | undefined, defaultCountry: CountryCode): string | undefined {
  if (raw === undefined) return undefined;
  const trimmed = raw.trim();
  if (E164.test(trimmed)) return trimmed;
  const digits = trimmed.replace(/[\s().-]/g, '');
  if (!/^\+?\d{3,17}$/.test(digits)) return undefined;
  const parsed = parsePhoneNumberFromString(digits, defaultCountry);
  return parsed?.isPossible() ? parsed.number : undefined;
}
