import { describe, expect, it } from 'vitest';
import { MAX_SIP_BODY_BYTES, splitBody } from '../../agi-server/src/messaging/body-split.js';

const bytes = (text: string) => Buffer.byteLength(text, 'utf8');
/** The pieces without their "(n/m) " markers, joined: must be the body again, byte for byte. */
const rejoin = (pieces: string[]) => pieces.map((piece) => piece.replace(/^\(\d+\/\d+\) /, '')).join('');

describe('splitting a text for SIP MESSAGE', () => {
  it('leaves a body that fits alone, byte-exact', () => {
    expect(splitBody('Ünï ✓ 👋')).toEqual(['Ünï ✓ 👋']);
    const exactly = 'a'.repeat(MAX_SIP_BODY_BYTES);
    expect(splitBody(exactly)).toEqual([exactly]);
  });

  it('cuts a long body under the limit, numbered, at spaces, losing nothing', () => {
    const body = Array.from({ length: 400 }, (_, index) => `word${index}`).join(' ');
    const pieces = splitBody(body);
    expect(pieces.length).toBeGreaterThan(2);
    for (const piece of pieces) expect(bytes(piece)).toBeLessThanOrEqual(MAX_SIP_BODY_BYTES);
    expect(pieces[0]).toMatch(/^\(1\/\d+\) word0 /);
    expect(rejoin(pieces)).toBe(body);
    // Cut after a space: no word is split in two.
    for (const piece of pieces.slice(0, -1)) expect(piece.endsWith(' ')).toBe(true);
  });

  it('never cuts inside a character or an emoji sequence', () => {
    const family = '👨‍👩‍👧‍👦'; // 25 bytes, one grapheme
    const body = `é${family.repeat(200)}`;
    const pieces = splitBody(body);
    for (const piece of pieces) {
      expect(bytes(piece)).toBeLessThanOrEqual(MAX_SIP_BODY_BYTES);
      expect(Buffer.from(piece, 'utf8').toString('utf8')).toBe(piece);
      expect(piece.replace(/^\(\d+\/\d+\) (é)?/, '').replaceAll(family, '')).toBe('');
    }
    expect(rejoin(pieces)).toBe(body);
  });

  it('takes a 100 kB hostile body apart without changing a byte of it', () => {
    const hostile = `\${SHELL(rm -rf /)}\u0000\u0007"'\\\r\n`.repeat(4_000);
    const pieces = splitBody(hostile);
    expect(pieces.length).toBeGreaterThan(100);
    for (const piece of pieces) expect(bytes(piece)).toBeLessThanOrEqual(MAX_SIP_BODY_BYTES);
    expect(rejoin(pieces)).toBe(hostile);
  });
});
