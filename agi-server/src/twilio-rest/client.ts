import twilio from 'twilio';

/**
 * The one way Switchboard reaches Twilio's REST APIs (Messages now, Recordings next): the `twilio`
 * library's client, made from the account's settings. Everything under twilio-rest/ goes through
 * it, so proxies, CA bundles, timeouts and credentials are decided here once (docs/twilio.md):
 * the library reaches `https://api.twilio.com` (TWILIO_EDGE/TWILIO_REGION change the host), takes
 * an HTTP proxy from upper-case HTTP_PROXY only, and then trusts the CAs Node trusts
 * (NODE_EXTRA_CA_CERTS adds one; it must be in the environment when the process starts).
 */

export interface TwilioAccount {
  /** AC followed by 32 hex digits. */
  readonly accountSid: string;
  /** The account's Auth Token: signs requests to Twilio and checks Twilio's webhooks to us. */
  readonly authToken: string;
}

export type TwilioClient = twilio.Twilio;

/**
 * How long one API request may take. The library applies it per request (axios); with
 * HTTP_PROXY set it cannot bound the socket itself (RequestClient's note), the request bound holds.
 */
export const TWILIO_REQUEST_TIMEOUT_MS = 10_000;

/** The account's settings, when both are configured (SB_TWILIO_ACCOUNT_SID, SB_TWILIO_AUTH_TOKEN). */
export function twilioAccountOf(settings: {
  readonly SB_TWILIO_ACCOUNT_SID?: string | undefined;
  readonly SB_TWILIO_AUTH_TOKEN?: string | undefined;
}): TwilioAccount | undefined {
  const { SB_TWILIO_ACCOUNT_SID: accountSid, SB_TWILIO_AUTH_TOKEN: authToken } = settings;
  return accountSid && authToken ? { accountSid, authToken } : undefined;
}

export function createTwilioClient(account: TwilioAccount): TwilioClient {
  return twilio(account.accountSid, account.authToken, {
    timeout: TWILIO_REQUEST_TIMEOUT_MS,
    // Retrying is the outbox's job (backoff, a visible reason, across restarts), not the library's.
    autoRetry: false,
  });
}
