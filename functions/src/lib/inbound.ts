import { signMetadata, sipUriFor } from '@switchboard/contract';
import twilio from 'twilio';
import type { FunctionConfig } from './config.js';
import type { InboundParams } from './params.js';

/** What the X-SB-Caller header carries: the caller as Twilio gave it, when it fits the contract. */
export function callerForHeaders(from: string): string {
  return /^[A-Za-z0-9+:@._-]{1,64}$/.test(from) ? from : 'unknown';
}

export function sipDial(
  response: InstanceType<typeof twilio.twiml.VoiceResponse>,
  config: FunctionConfig,
  host: string,
  action: string,
  params: { To: string; From: string },
  now: Date,
): void {
  const did = params.To;
  const signed = signMetadata(
    { did, caller: callerForHeaders(params.From), route: config.DID_ROUTE_KEYS[did] ?? '' },
    config.SB_HEADER_SECRET,
    // Bound to our account and to this one INVITE (a fresh nonce): see docs/sip-headers.md.
    { now, accountSid: config.ACCOUNT_SID },
  );
  const credentials =
    config.PBX_SIP_USERNAME && config.PBX_SIP_PASSWORD
      ? { username: config.PBX_SIP_USERNAME, password: config.PBX_SIP_PASSWORD }
      : {};
  response
    .dial({ answerOnBridge: true, action, method: 'POST', timeout: config.DIAL_TIMEOUT })
    .sip(credentials, sipUriFor({ did, host, transport: config.PBX_TRANSPORT }, signed));
}

/** inbound-call: the DID's call goes to the PBX over SIP, its metadata signed in X-SB- headers. */
export function inboundCall(config: FunctionConfig, params: InboundParams, now: Date): string {
  const response = new twilio.twiml.VoiceResponse();
  sipDial(response, config, config.PBX_HOST, '/dial-status', params, now);
  return response.toString();
}
