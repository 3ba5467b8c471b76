import {
  FIELD_LIMITS,
  headerPart,
  MAX_HEADER_PART,
  MetadataError,
  SB_HEADER,
  signMetadata,
  sipUriFor,
  verifyHeaders,
} from '@switchboard/contract';
import { describe, expect, it } from 'vitest';

const SECRET = 'test-secret-0123456789abcdef0123456789';
const NOW = new Date('2026-11-23T16:00:00Z');
const metadata = { did: '+19863334949', caller: '+15551230001', route: 'vip' };

function received(signed: ReturnType<typeof signMetadata>) {
  return {
    did: signed.did,
    caller: signed.caller,
    route: signed.route,
    timestamp: String(signed.timestamp),
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
    const signed = signMetadata(metadata, SECRET, NOW);
    const uri = sipUriFor({ did: metadata.did, host: 'pbx.example.com', transport: 'tls' }, signed);
    expect(uri).toMatch(
      /^sip:\+19863334949@pbx\.example\.com;transport=tls\?X-SB-Did=%2B19863334949&X-SB-Caller=%2B15551230001&X-SB-Route=vip&X-SB-Ts=\d+&X-SB-Sig=[A-Za-z0-9_-]{43}$/,
    );
  });

  it('leaves the route header out when the edge chose none', () => {
    expect(headerPart(signMetadata({ ...metadata, route: '' }, SECRET, NOW))).not.toContain('X-SB-Route');
  });

  it('stays under 1024 characters of headers at the largest allowed field values', () => {
    const largest = {
      did: '+999999999999999',
      // Every character of the longest caller encodes to %XX (the worst case is ':' and '@').
      caller: ':@'.repeat(FIELD_LIMITS.caller / 2),
      route: `r${'-'.repeat(FIELD_LIMITS.route - 1)}`,
    };
    expect(largest.did).toHaveLength(FIELD_LIMITS.did);
    const part = headerPart(signMetadata(largest, SECRET, new Date('2286-11-20T17:46:39Z')));
    expect(part.length).toBeLessThanOrEqual(MAX_HEADER_PART);
    const uri = sipUriFor(
      { did: largest.did, host: `${'a'.repeat(60)}.example.com`, transport: 'udp' },
      signMetadata(largest, SECRET, NOW),
    );
    expect(uri.length).toBeLessThan(255 + 1024);
  });

  it('refuses field values outside the contract before signing', () => {
    expect(() => signMetadata({ ...metadata, did: '19863334949' }, SECRET, NOW)).toThrow(MetadataError);
    expect(() => signMetadata({ ...metadata, caller: 'x'.repeat(65) }, SECRET, NOW)).toThrow(MetadataError);
    expect(() => signMetadata({ ...metadata, caller: 'a b' }, SECRET, NOW)).toThrow(MetadataError);
    expect(() => signMetadata({ ...metadata, route: 'Bad_Key' }, SECRET, NOW)).toThrow(MetadataError);
    expect(() =>
      sipUriFor(
        { did: metadata.did, host: 'h'.repeat(300), transport: 'udp' },
        signMetadata(metadata, SECRET, NOW),
      ),
    ).toThrow(/254/);
  });

  it('verifies a fresh signature and returns what the edge chose', () => {
    expect(verifyHeaders(received(signMetadata(metadata, SECRET, NOW)), SECRET, NOW)).toEqual({
      status: 'valid',
      metadata,
    });
  });

  it('calls an INVITE with no X-SB- header absent (Elastic SIP Trunking)', () => {
    expect(verifyHeaders({}, SECRET, NOW)).toEqual({ status: 'absent', metadata: undefined });
    expect(verifyHeaders({ did: '', caller: '' }, SECRET, NOW).status).toBe('absent');
  });

  it('rejects any altered field, another secret, a replay outside the window, and partial headers', () => {
    const good = received(signMetadata(metadata, SECRET, NOW));
    expect(verifyHeaders({ ...good, route: 'other' }, SECRET, NOW).status).toBe('invalid');
    expect(verifyHeaders({ ...good, caller: '+15550001111' }, SECRET, NOW).status).toBe('invalid');
    expect(
      verifyHeaders({ ...good, timestamp: String(Number(good.timestamp) + 1) }, SECRET, NOW).status,
    ).toBe('invalid');
    expect(verifyHeaders(good, 'another-secret-0123456789abcdef01234', NOW).status).toBe('invalid');
    expect(verifyHeaders(good, SECRET, new Date(NOW.getTime() + 301_000)).status).toBe('stale');
    expect(verifyHeaders(good, SECRET, new Date(NOW.getTime() - 301_000)).status).toBe('stale');
    expect(verifyHeaders(good, SECRET, new Date(NOW.getTime() + 299_000)).status).toBe('valid');
    expect(verifyHeaders({ ...good, signature: undefined }, SECRET, NOW).status).toBe('malformed');
    expect(verifyHeaders({ ...good, timestamp: 'soon' }, SECRET, NOW).status).toBe('malformed');
    expect(verifyHeaders({ ...good, did: '+1 986' }, SECRET, NOW).status).toBe('malformed');
    expect(verifyHeaders(good, undefined, NOW).status).toBe('malformed');
  });
});
