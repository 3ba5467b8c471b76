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

  it('counts a line in bytes, not characters, when it arrives whole in one chunk', () => {
    const seen: string[] = [];
    // 'é' is 2 bytes: 4 of them are 8 bytes (the cap), 5 are 10.
    new LineReader(
      8,
      (line) => seen.push(line),
      () => seen.push('overflow'),
    ).push(Buffer.from('éééé\nééééé\nnever\n'));
    expect(seen).toEqual(['éééé', 'overflow']);
  });

  it('counts what an earlier chunk left towards the cap of the line it completes', () => {
    const seen: string[] = [];
    const reader = new LineReader(
      8,
      (line) => seen.push(line),
      () => seen.push('overflow'),
    );
    reader.push(Buffer.from('12345'));
    reader.push(Buffer.from('678\n9'));
    reader.push(Buffer.from('\n'));
    expect(seen).toEqual(['12345678', '9']);
    const over: string[] = [];
    const second = new LineReader(
      8,
      (line) => over.push(line),
      () => over.push('overflow'),
    );
    second.push(Buffer.from('12345'));
    second.push(Buffer.from('6789\nnext\n'));
    expect(over).toEqual(['overflow']);
  });
});
