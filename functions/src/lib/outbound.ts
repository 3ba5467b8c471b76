import { toE164 } from '@switchboard/contract';
import type { CountryCode } from 'libphonenumber-js';
import twilio from 'twilio';
import type { FunctionConfig } from './config.js';
import { log } from './log.js';
import type { VoiceParams } from './params.js';

/**
 * outbound-call, the voice URL of the Twilio SIP Domain the PBX dials out through: the PBX sends
 * sip:+15551234567@domain; the number and the caller ID are checked against the configured
 * owned numbers and allow/deny prefixes before anything is dialled.
 */

/** `sip:+15551234567@x.sip.twilio.com;transport=udp` -> `+15551234567`. */
export function sipUser(uri: string): string | undefined {
  return /^sips?:([^@;>]+)@/.exec(uri)?.[1];
}

function reject(reason: string, fields: Record<string, unknown>): string {
  log('warn', `outbound call rejected: ${reason}`, fields);
  const response = new twilio.twiml.VoiceResponse();
  response.reject({ reason: 'rejected' });
  return response.toString();
}

export function outboundCall(config: FunctionConfig, params: VoiceParams): string {
  const country = config.DEFAULT_COUNTRY as CountryCode;
  const destination = toE164(sipUser(params.To) ?? params.To, country);
  const fields = { callSid: params.CallSid, to: params.To, from: params.From };
  if (!destination) return reject('not a phone number', fields);
  if (config.DENY_PREFIXES.some((prefix) => destination.startsWith(prefix)))
    return reject('denied prefix', { ...fields, destination });
  if (!config.ALLOW_PREFIXES.some((prefix) => destination.startsWith(prefix))) {
    return reject('destination not allowed', { ...fields, destination });
  }
  const requested = toE164(sipUser(params.From) ?? params.From, country);
  const owned = new Set(config.OWNED_NUMBERS);
  const callerId = requested && owned.has(requested) ? requested : config.DEFAULT_CALLER_ID;
  if (!callerId || !owned.has(callerId))
    return reject('no owned caller ID to present', { ...fields, requested });
  const response = new twilio.twiml.VoiceResponse();
  response.dial({ callerId }).number(destination);
  log('info', 'outbound call', { callSid: params.CallSid, destination, callerId });
  return response.toString();
}
