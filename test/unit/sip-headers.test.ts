import {
  FIELD_LIMITS,
  headerPart,
  MAX_HEADER_PART,
  MetadataError,
  SB_HEADER,
  signMetadata,
  sipUriFor,
  verifyHeaders,
  WeakSecretError,
} from '@switchboard/contract';
import { describe, expect, it } from 'vitest';

const SECRET = 'test-secret-0123456789abcdef0123456789';
const NOW = new Date('2026-11-23T16:00:00Z');
const ACCOUNT = 'AC0123456789abcdef0123456789abcdef';
const OTHER_ACCOUNT = 'ACffffffffffffffffffffffffffffffff';
const metadata = { did: '+19863334949', caller: '+15551230001', route: 'vip' };
const at = (now: Date) => ({ now, accountSid: ACCOUNT });
/** The call the header set arrives on: addressed to the signed DID, from our account. */
const CALL = { did: metadata.did, accountSid: ACCOUNT, expectedAccountSid: ACCOUNT };

function received(signed: ReturnType<typeof signMetadata>) {
  return {
    did: signed.did,
    caller: signed.caller,
    route: signed.route,
    timestamp: String(signed.timestamp),
    nonce: signed.nonce,
    signature: signed.signature,
  };
}

describe('X-SB- header contract', () => {
  it('uses our own prefix, never X-Twilio (Twilio warning 32113)', () => {
    for (const name of Object.values(SB_HEADER)) {
      expect(name).toMatch(/^X-SB-/);
      expect(name.toLowerCase().startsWith('x-twilio')).toBe(false);
    }
  });

  it('encodes values for the URI (+ as %2B) and builds one <Sip> URI', () => {
    const signed = signMetadata(metadata, SECRET, at(NOW));
    const uri = sipUriFor({ did: metadata.did, host: 'pbx.example.com', transport: 'tls' }, signed);
    expect(uri).toMatch(
      /^sip:\+19863334949@pbx\.example\.com;transport=tls;secure=true\?X-SB-Did=%2B19863334949&X-SB-Caller=%2B15551230001&X-SB-Route=vip&X-SB-Ts=\d+&X-SB-Nonce=[A-Za-z0-9_-]{22}&X-SB-Sig=[A-Za-z0-9_-]{43}$/,
    );
  });

  it('leaves the route header out when the edge chose none', () => {
    expect(headerPart(signMetadata({ ...metadata, route: '' }, SECRET, at(NOW)))).not.toContain('X-SB-Route');
  });

  it('stays under 1024 characters of headers at the largest allowed field values', () => {
    const largest = {
      did: '+999999999999999',
      // Every character of the longest caller encodes to %XX (the worst case is ':' and '@').
      caller: ':@'.repeat(FIELD_LIMITS.caller / 2),
      route: `r${'-'.repeat(FIELD_LIMITS.route - 1)}`,
    };
    expect(largest.did).toHaveLength(FIELD_LIMITS.did);
    const part = headerPart(signMetadata(largest, SECRET, at(new Date('2286-11-20T17:46:39Z'))));
    expect(part.length).toBeLessThanOrEqual(MAX_HEADER_PART);
    const uri = sipUriFor(
      { did: largest.did, host: `${'a'.repeat(60)}.example.com`, transport: 'udp' },
      signMetadata(largest, SECRET, at(NOW)),
    );
    expect(uri.length).toBeLessThan(255 + 1024);
  });

  it('refuses field values outside the contract before signing', () => {
    expect(() => signMetadata({ ...metadata, did: '19863334949' }, SECRET, at(NOW))).toThrow(MetadataError);
    expect(() => signMetadata({ ...metadata, caller: 'x'.repeat(65) }, SECRET, at(NOW))).toThrow(
      MetadataError,
    );
    expect(() => signMetadata({ ...metadata, caller: 'a b' }, SECRET, at(NOW))).toThrow(MetadataError);
    expect(() => signMetadata({ ...metadata, route: 'Bad_Key' }, SECRET, at(NOW))).toThrow(MetadataError);
    expect(() =>
      sipUriFor(
        { did: metadata.did, host: 'h'.repeat(300), transport: 'udp' },
        signMetadata(metadata, SECRET, at(NOW)),
      ),
    ).toThrow(/254/);
  });

  it('verifies a fresh signature and returns what the edge chose', () => {
    expect(verifyHeaders(received(signMetadata(metadata, SECRET, at(NOW))), SECRET, NOW, CALL)).toEqual({
      status: 'valid',
      metadata,
      nonce: {
        value: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
        expiresAt: (Math.floor(NOW.getTime() / 1000) + 300) * 1000,
      },
    });
  });

  it('calls an INVITE with no X-SB- header absent (Elastic SIP Trunking)', () => {
    expect(verifyHeaders({}, SECRET, NOW, CALL)).toEqual({
      status: 'absent',
      metadata: undefined,
      nonce: undefined,
    });
    expect(verifyHeaders({ did: '', caller: '' }, SECRET, NOW, CALL).status).toBe('absent');
  });

  it('rejects any altered field, another secret, a replay outside the window, and partial headers', () => {
    const good = received(signMetadata(metadata, SECRET, at(NOW)));
    expect(verifyHeaders({ ...good, route: 'other' }, SECRET, NOW, CALL).status).toBe('invalid');
    expect(verifyHeaders({ ...good, caller: '+15550001111' }, SECRET, NOW, CALL).status).toBe('invalid');
    expect(
      verifyHeaders({ ...good, timestamp: String(Number(good.timestamp) + 1) }, SECRET, NOW, CALL).status,
    ).toBe('invalid');
    expect(verifyHeaders(good, 'another-secret-0123456789abcdef01234', NOW, CALL).status).toBe('invalid');
    expect(verifyHeaders(good, SECRET, new Date(NOW.getTime() + 301_000), CALL).status).toBe('stale');
    expect(verifyHeaders(good, SECRET, new Date(NOW.getTime() - 301_000), CALL).status).toBe('stale');
    expect(verifyHeaders(good, SECRET, new Date(NOW.getTime() + 299_000), CALL).status).toBe('valid');
    expect(verifyHeaders({ ...good, signature: undefined }, SECRET, NOW, CALL).status).toBe('malformed');
    expect(verifyHeaders({ ...good, timestamp: 'soon' }, SECRET, NOW, CALL).status).toBe('malformed');
    expect(verifyHeaders({ ...good, did: '+1 986' }, SECRET, NOW, CALL).status).toBe('malformed');
    expect(verifyHeaders(good, undefined, NOW, CALL).status).toBe('malformed');
  });

  it('binds the header set to the DID, our account and one nonce', () => {
    const good = received(signMetadata(metadata, SECRET, at(NOW)));
    // Replayed on a call to another number.
    expect(verifyHeaders(good, SECRET, NOW, { ...CALL, did: '+19863330000' }).status).toBe('wrong-did');
    expect(verifyHeaders(good, SECRET, NOW, { ...CALL, did: undefined }).status).toBe('wrong-did');
    // Replayed through another Twilio account: refused by the check against ours...
    expect(verifyHeaders(good, SECRET, NOW, { ...CALL, accountSid: OTHER_ACCOUNT }).status).toBe(
      'wrong-account',
    );
    // ...and by the signature even when ours is not configured.
    expect(
      verifyHeaders(good, SECRET, NOW, { ...CALL, accountSid: OTHER_ACCOUNT, expectedAccountSid: undefined })
        .status,
    ).toBe('invalid');
    expect(verifyHeaders(good, SECRET, NOW, { ...CALL, accountSid: undefined }).status).toBe('malformed');
    // The nonce is signed: another one breaks the HMAC.
    expect(verifyHeaders({ ...good, nonce: 'A'.repeat(22) }, SECRET, NOW, CALL).status).toBe('invalid');
    expect(verifyHeaders({ ...good, nonce: undefined }, SECRET, NOW, CALL).status).toBe('malformed');
    // Two signings of the same call carry different nonces.
    expect(signMetadata(metadata, SECRET, at(NOW)).nonce).not.toBe(good.nonce);
  });

  it('refuses secrets shorter than 32 bytes in the library itself', () => {
    const short = 'x'.repeat(31);
    expect(() => signMetadata(metadata, short, at(NOW))).toThrow(WeakSecretError);
    expect(() => verifyHeaders(received(signMetadata(metadata, SECRET, at(NOW))), short, NOW, CALL)).toThrow(
      WeakSecretError,
    );
    // Bytes, not characters: 16 two-byte characters are 32 bytes.
    expect(() => signMetadata(metadata, 'é'.repeat(16), at(NOW))).not.toThrow();
    expect(() => signMetadata(metadata, 'é'.repeat(15), at(NOW))).toThrow(WeakSecretError);
  });
});
