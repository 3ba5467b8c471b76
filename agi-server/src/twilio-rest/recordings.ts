import { RECORDING_SID } from '@switchboard/contract';
import type { TwilioAccount, TwilioClient } from './client.js';
import { TWILIO_REQUEST_TIMEOUT_MS } from './client.js';

/**
 * A recording's audio from Twilio's Recordings API (docs/voicemail.md): `GET
 * /2010-04-01/Accounts/{AccountSid}/Recordings/{RecordingSid}.wav` with the account's credentials.
 * Through the library's own HTTP client (its axios instance, with the library's agent: HTTP_PROXY
 * and the CAs Node trusts, docs/twilio.md); the library's `request()` decodes every answer as text,
 * which would corrupt audio, so the bytes are asked for as an ArrayBuffer on that same instance.
 * The URL is built from the SIDs, never taken from a webhook: a forged RecordingUrl cannot send the
 * credentials elsewhere.
 */

export type RecordingFetch =
  | { readonly kind: 'fetched'; readonly audio: Buffer }
  /** Twilio says there is no such recording (404) or refuses the account (401/403): final. */
  | { readonly kind: 'refused'; readonly httpStatus: number; readonly message: string }
  /** Network, TLS, 429, 5xx, or not yet ready: worth another try. */
  | { readonly kind: 'unreachable'; readonly reason: string };

export async function fetchRecording(
  client: TwilioClient,
  account: TwilioAccount,
  recordingSid: string,
): Promise<RecordingFetch> {
  if (!RECORDING_SID.test(recordingSid))
    return { kind: 'refused', httpStatus: 400, message: 'not a Recording SID' };
  const url = `https://api.twilio.com/2010-04-01/Accounts/${account.accountSid}/Recordings/${recordingSid}.wav`;
  try {
    const response = await client.httpClient.axios.get<ArrayBuffer>(url, {
      responseType: 'arraybuffer',
      auth: { username: account.accountSid, password: account.authToken },
      timeout: TWILIO_REQUEST_TIMEOUT_MS,
      maxRedirects: 0,
      proxy: false,
      validateStatus: () => true,
    });
    const body = Buffer.from(response.data);
    if (response.status === 200) return { kind: 'fetched', audio: body };
    const message = `Twilio answered ${response.status}: ${body.toString('utf8').slice(0, 200)}`;
    if (response.status === 429 || response.status >= 500) return { kind: 'unreachable', reason: message };
    // 404 right after the callback can mean "not yet": the caller retries a few times before giving up.
    return { kind: 'refused', httpStatus: response.status, message };
  } catch (error) {
    return { kind: 'unreachable', reason: (error as Error).message };
  }
}
