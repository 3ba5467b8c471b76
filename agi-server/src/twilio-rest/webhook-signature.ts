import twilio from 'twilio';

/**
 * Twilio's webhooks to Switchboard (message status callbacks) carry X-Twilio-Signature: base64
 * HMAC-SHA1 with the account's Auth Token over the URL Twilio called (the public URL the operator
 * configured, not what the request looks like behind a proxy) followed by the POST parameters
 * sorted by name. Checked with the library's own validateRequest, never by hand.
 */
export function isSignedByTwilio(
  authToken: string,
  signature: string | undefined,
  publicUrl: string,
  params: Readonly<Record<string, string>>,
): boolean {
  if (!signature) return false;
  return twilio.validateRequest(authToken, signature, publicUrl, params);
}
