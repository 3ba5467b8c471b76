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
    let start = 0;
    while (start < chunk.length && !this.stopped) {
      const newline = chunk.indexOf(0x0a, start);
      if (newline === -1) {
        this.keep(chunk.subarray(start));
        return;
      }
      const piece = chunk.subarray(start, newline);
      if (this.pendingBytes + piece.length > this.maxLineBytes) {
        this.overflow();
        return;
      }
      const line = this.pendingBytes === 0 ? piece : Buffer.concat([...this.pending, piece]);
      this.pending = [];
      this.pendingBytes = 0;
      start = newline + 1;
      const text = line.toString('utf8');
      this.onLine(text.endsWith('\r') ? text.slice(0, -1) : text);
    }
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
