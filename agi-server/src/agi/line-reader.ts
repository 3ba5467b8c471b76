import type { Socket } from 'node:net';

/**
 * Splits a socket's bytes into LF-terminated lines with a hard cap on a line's length, so that
 * a peer sending an endless line (1 MiB without a newline, a scanner) costs at most `maxLineBytes`
 * of memory before it is cut off. Asterisk sends LF only; a trailing CR is dropped anyway.
 */
export class LineReader {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private stopped = false;

  constructor(
    private readonly maxLineBytes: number,
    private readonly onLine: (line: string) => void,
    private readonly onOverflow: () => void,
  ) {}

  attach(socket: Socket): void {
    socket.on('data', (chunk: Buffer) => this.push(chunk));
  }

  push(chunk: Buffer): void {
    if (this.stopped) return;
    const last = chunk.lastIndexOf(0x0a);
    if (last === -1) {
      this.keep(chunk);
      return;
    }
    // The complete lines of this chunk (plus what an earlier chunk left) are decoded as one
    // string and split there: a session's env block usually arrives in one chunk, and a Buffer
    // plus a string per line was a measurable share of the server's CPU. A newline byte never
    // falls inside a UTF-8 sequence, so decoding up to it never cuts a character.
    const head = chunk.subarray(0, last + 1);
    let text: string;
    if (this.pendingBytes === 0) text = head.toString('utf8');
    else {
      const firstNewline = chunk.indexOf(0x0a);
      if (this.pendingBytes + firstNewline > this.maxLineBytes) {
        this.overflow();
        return;
      }
      text = Buffer.concat([...this.pending, head]).toString('utf8');
      this.pending = [];
      this.pendingBytes = 0;
    }
    let start = 0;
    while (start < text.length && !this.stopped) {
      // Always found: the text ends with the chunk's last newline.
      const newline = text.indexOf('\n', start);
      // A UTF-16 unit is at most 3 UTF-8 bytes: only a long line needs its bytes counted.
      if (newline - start > this.maxLineBytes / 3 && this.tooLong(text.slice(start, newline))) {
        this.overflow();
        return;
      }
      const end = newline > start && text.charCodeAt(newline - 1) === 0x0d ? newline - 1 : newline;
      const line = text.slice(start, end);
      start = newline + 1;
      this.onLine(line);
    }
    if (!this.stopped && last + 1 < chunk.length) this.keep(chunk.subarray(last + 1));
  }

  private tooLong(line: string): boolean {
    return Buffer.byteLength(line, 'utf8') > this.maxLineBytes;
  }

  private keep(rest: Buffer): void {
    if (this.pendingBytes + rest.length > this.maxLineBytes) {
      this.overflow();
      return;
    }
    // Copy: the socket may reuse the chunk's memory, and a small slice must not pin a big chunk.
    this.pending.push(Buffer.from(rest));
    this.pendingBytes += rest.length;
  }

  private overflow(): void {
    this.stopped = true;
    this.pending = [];
    this.pendingBytes = 0;
    this.onOverflow();
  }
}
