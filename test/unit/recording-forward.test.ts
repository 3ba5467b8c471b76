import { describe, expect, it } from 'vitest';
import {
  type ForwardedRecording,
  signForwardedRecording,
  verifyForwardedRecording,
} from '../../contract/src/recording-forward.js';

// The edge voicemail hand-over (docs/voicemail.md): every field signed, bound to time, single use.
const secret = 's'.repeat(40);
const now = new Date('2026-12-03T16:00:00Z');
const recording: ForwardedRecording = {
  recordingSid: `RE${'5'.repeat(32)}`,
  callSid: `CA${'7'.repeat(32)}`,
  accountSid: `AC${'1'.repeat(32)}`,
  from: '+15125550199',
  to: '+19863334949',
  durationSeconds: 7,
};
const headersOf = (signed: Record<string, string>) => ({
  timestamp: signed['x-sb-ts'],
  signature: signed['x-sb-sig'],
});

describe('the edge recording hand-over', () => {
  it('accepts what the Function signed, with the RecordingSid as the single-use nonce', () => {
    const check = verifyForwardedRecording(
      recording,
      headersOf(signForwardedRecording(recording, secret, now)),
      secret,
      now,
    );
    expect(check).toMatchObject({
      ok: true,
      recording,
      nonce: { value: `recording:${recording.recordingSid}` },
    });
  });

  it('refuses any changed field, another secret, an old signature and a malformed body', () => {
    const headers = headersOf(signForwardedRecording(recording, secret, now));
    for (const changed of [
      { ...recording, to: '+19863334950' },
      { ...recording, from: '+15125550100' },
      { ...recording, durationSeconds: 8 },
      { ...recording, recordingSid: `RE${'6'.repeat(32)}` },
      { ...recording, callSid: `CA${'8'.repeat(32)}` },
    ])
      expect(verifyForwardedRecording(changed, headers, secret, now)).toEqual({ ok: false, why: 'invalid' });
    expect(verifyForwardedRecording(recording, headers, 't'.repeat(40), now)).toEqual({
      ok: false,
      why: 'invalid',
    });
    expect(verifyForwardedRecording(recording, headers, secret, new Date(now.getTime() + 301_000))).toEqual({
      ok: false,
      why: 'stale',
    });
    expect(
      verifyForwardedRecording({ ...recording, recordingUrl: 'https://evil.test/' }, headers, secret, now),
    ).toEqual({
      ok: false,
      why: 'malformed',
    });
    expect(verifyForwardedRecording({ ...recording, recordingSid: '../x' }, headers, secret, now)).toEqual({
      ok: false,
      why: 'malformed',
    });
  });
});
