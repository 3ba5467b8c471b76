import { describe, expect, it } from 'vitest';
import { LineReader } from '../../agi-server/src/agi/line-reader.js';

describe('LineReader', () => {
  it('splits lines across chunk boundaries and drops a trailing CR', () => {
    const lines: string[] = [];
    const reader = new LineReader(
      1024,
      (line) => lines.push(line),
      () => undefined,
    );
    reader.push(Buffer.from('agi_network: yes\nagi_chan'));
    reader.push(Buffer.from('nel: PJSIP/x\r\n\n200 result=1 (é)\n'));
    expect(lines).toEqual(['agi_network: yes', 'agi_channel: PJSIP/x', '', '200 result=1 (é)']);
  });

  it('keeps a UTF-8 character split across chunks intact', () => {
    const lines: string[] = [];
    const reader = new LineReader(
      1024,
      (line) => lines.push(line),
      () => undefined,
    );
    const bytes = Buffer.from('Jürgen\n');
    reader.push(bytes.subarray(0, 2));
    reader.push(bytes.subarray(2));
    expect(lines).toEqual(['Jürgen']);
  });

  it('gives up on 1 MiB without a newline after at most maxLineBytes buffered', () => {
    let overflows = 0;
    const lines: string[] = [];
    const reader = new LineReader(
      16 * 1024,
      (line) => lines.push(line),
      () => overflows++,
    );
    const chunk = Buffer.alloc(64 * 1024, 0x41);
    for (let sent = 0; sent < 1024 * 1024; sent += chunk.length) reader.push(chunk);
    reader.push(Buffer.from('\nlate line\n'));
    expect(overflows).toBe(1);
    expect(lines).toEqual([]);
    // Nothing is retained after the overflow.
    expect((reader as unknown as { pendingBytes: number }).pendingBytes).toBe(0);
  });

  it('accepts a line of exactly maxLineBytes and refuses one byte more', () => {
    const ok: string[] = [];
    new LineReader(
      8,
      (line) => ok.push(line),
      () => ok.push('overflow'),
    ).push(Buffer.from('12345678\n'));
    expect(ok).toEqual(['12345678']);
    const refused: string[] = [];
    new LineReader(
      8,
      (line) => refused.push(line),
      () => refused.push('overflow'),
    ).push(Buffer.from('123456789\n'));
    expect(refused).toEqual(['overflow']);
  });
});
