/**
 * Asterisk 22's res_pjsip_messaging copies a MESSAGE body into a buffer of about 1 KiB: a body of
 * 1,024 bytes or more arrives empty while the sender is told 202 Accepted (docs/messaging.md). A
 * longer text is therefore sent to phones as several MESSAGEs, each at most MAX_SIP_BODY_BYTES of
 * UTF-8, cut between user-perceived characters (an emoji with its modifiers stays whole), at the
 * last space when there is one near the end, and numbered "(1/3) " so the reader sees the order.
 */

/** Below Asterisk's 1,024-byte limit, with room for the "(nn/nn) " part marker. */
export const MAX_SIP_BODY_BYTES = 1_000;

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

const bytes = (text: string) => Buffer.byteLength(text, 'utf8');

/** Where the UTF-16 index `end` (a code point boundary) falls back to a grapheme boundary after `start`. */
function graphemeBoundary(body: string, start: number, end: number): number {
  // Segmenting the whole text is slow (seconds for 100 kB on Node 20): only a window before the cut.
  const from = Math.max(start, end - 64);
  let boundary = from;
  for (const { index } of segmenter.segment(body.slice(from, end + 64))) {
    if (from + index > end) break;
    boundary = from + index;
  }
  return boundary > start ? boundary : end;
}

/** The body in pieces of at most `maxBytes` UTF-8 bytes each; one piece when it fits. */
export function splitBody(body: string, maxBytes = MAX_SIP_BODY_BYTES): string[] {
  if (bytes(body) <= maxBytes) return [body];
  // The marker is at most "(99/99) " = 8 bytes; leave room for it in every piece.
  const room = maxBytes - 8;
  const pieces: string[] = [];
  let start = 0;
  while (start < body.length) {
    // The longest run of whole code points within `room` bytes.
    let end = start;
    let used = 0;
    while (end < body.length) {
      const point = body.codePointAt(end) as number;
      const size = point < 0x80 ? 1 : point < 0x800 ? 2 : point < 0x10000 ? 3 : 4;
      if (used + size > room) break;
      used += size;
      end += point > 0xffff ? 2 : 1;
    }
    if (end < body.length) {
      end = graphemeBoundary(body, start, end);
      // At the last space if that keeps at least half the piece.
      const space = body.lastIndexOf(' ', end - 1);
      if (space >= start + (end - start) / 2) end = space + 1;
    }
    pieces.push(body.slice(start, end));
    start = end;
  }
  return pieces.map((piece, index) => `(${index + 1}/${pieces.length}) ${piece}`);
}
