import twilio from 'twilio';

/** Signs webhook parameters exactly as Twilio does (on the public URL), for tests and the edge emulator. */
export const TEST_ACCOUNT_SID = 'AC00000000000000000000000000000001';
export const TEST_AUTH_TOKEN = 'test-auth-token-0123456789abcdef';

export function sign(url: string, params: Record<string, string>, authToken = TEST_AUTH_TOKEN): string {
  return twilio.getExpectedTwilioSignature(authToken, url, params);
}

/** The form fields Twilio sends with an incoming call's Voice webhook (values as Twilio formats them). */
export function voiceWebhookParams(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    AccountSid: TEST_ACCOUNT_SID,
    ApiVersion: '2010-04-01',
    CallSid: 'CA0123456789abcdef0123456789abcdef',
    CallStatus: 'ringing',
    Called: '+19863334949',
    CalledCity: '',
    CalledCountry: 'US',
    CalledState: 'ID',
    CalledZip: '',
    Caller: '+15551230001',
    CallerCity: 'SAN FRANCISCO',
    CallerCountry: 'US',
    CallerState: 'CA',
    CallerZip: '94105',
    Direction: 'inbound',
    From: '+15551230001',
    FromCity: 'SAN FRANCISCO',
    FromCountry: 'US',
    FromState: 'CA',
    FromZip: '94105',
    To: '+19863334949',
    ToCity: '',
    ToCountry: 'US',
    ToState: 'ID',
    ToZip: '',
    ...overrides,
  };
}
