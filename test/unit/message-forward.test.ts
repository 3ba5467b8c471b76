import { describe, expect, it } from 'vitest';
import {
  type ForwardedMessage,
  MESSAGE_FORWARD_HEADER,
  signForwardedMessage,
  verifyForwardedMessage,
} from '../../contract/src/message-forward.js';

const secret = 's'.repeat(40);
const now = new Date('2026-12-03T10:00:00Z');
const message: ForwardedMessage = {
  messageSid: `SM${'1'.repeat(32)}`,
  accountSid: `AC${'2'.repeat(32)}`,
  from: '+15125550199',
  to: '+19863334949',
  body: 'Ünï ✓ 👋\n${SHELL(id)}',
  media: ['https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1'],
};
const headersOf = (signed: Record<string, string>) => ({
  timestamp: signed[MESSAGE_FORWARD_HEADER.timestamp],
  signature: signed[MESSAGE_FORWARD_HEADER.signature],
});

describe('forwarding a text from the Function to Switchboard', () => {
  it('verifies what was signed, bound to its MessageSid for the replay cache', () => {
    const check = verifyForwardedMessage(
      message,
      headersOf(signForwardedMessage(message, secret, now)),
      secret,
      now,
    );
    expect(check).toEqual({
      ok: true,
      message,
      nonce: { value: `message:${message.messageSid}`, expiresAt: now.getTime() + 300_000 },
    });
  });

  it('refuses any changed field, another secret, a stale timestamp, or a malformed request', () => {
    const headers = headersOf(signForwardedMessage(message, secret, now));
    for (const change of [
      { body: `${message.body}!` },
      { from: '+15125550198' },
      { to: '+19863334950' },
      { messageSid: `SM${'3'.repeat(32)}` },
      { media: [] },
    ])
      expect(verifyForwardedMessage({ ...message, ...change }, headers, secret, now)).toEqual({
        ok: false,
        why: 'invalid',
      });
    expect(verifyForwardedMessage(message, headers, 't'.repeat(40), now)).toEqual({
      ok: false,
      why: 'invalid',
    });
    const flipped = `${headers.signature?.[0] === 'A' ? 'B' : 'A'}${headers.signature?.slice(1)}`;
    expect(verifyForwardedMessage(message, { ...headers, signature: flipped }, secret, now)).toMatchObject({
      ok: false,
    });
    const later = new Date(now.getTime() + 301_000);
    expect(verifyForwardedMessage(message, headers, secret, later)).toEqual({ ok: false, why: 'stale' });
    expect(verifyForwardedMessage({ ...message, extra: 1 }, headers, secret, now)).toEqual({
      ok: false,
      why: 'malformed',
    });
    expect(
      verifyForwardedMessage(message, { timestamp: undefined, signature: headers.signature }, secret, now),
    ).toEqual({
      ok: false,
      why: 'malformed',
    });
    expect(() => verifyForwardedMessage(message, headers, 'short', now)).toThrow();
  });
});
