import { once } from 'node:events';
import { connect, type Socket } from 'node:net';

/**
 * A minimal Asterisk Manager Interface (AMI) client: log in, send an action, read its response,
 * hear events. Written here because the npm AMI clients are unmaintained callback-era packages
 * (asterisk-manager 0.2.0, asterisk-ami-client 1.1.5) without types, and the protocol is small:
 * blocks of `Key: Value` lines ended by an empty line, responses matched by ActionID. Every value
 * sent is checked for CR/LF (a line break would start another header: header injection).
 * See docs/messaging.md.
 */

export type AmiMessage = Readonly<Record<string, string>>;

export interface AmiOptions {
  readonly host: string;
  readonly port: number;
  readonly username: string;
  readonly secret: string;
  /** How long an action may wait for its response. */
  readonly timeoutMs?: number;
}

export class AmiError extends Error {
  override name = 'AmiError';
}

interface Pending {
  resolve: (message: AmiMessage) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

function block(fields: Readonly<Record<string, string>>): string {
  let text = '';
  for (const [key, value] of Object.entries(fields)) {
    if (/[\r\n]/.test(key) || /[\r\n]/.test(value))
      throw new AmiError(`AMI header ${key} holds a line break`);
    text += `${key}: ${value}\r\n`;
  }
  return `${text}\r\n`;
}

function parse(text: string): AmiMessage {
  const fields: Record<string, string> = {};
  for (const line of text.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) fields[line.slice(0, colon)] = line.slice(colon + 1).trimStart();
  }
  return fields;
}

export class AmiClient {
  private socket: Socket | undefined;
  private connecting: Promise<void> | undefined;
  private buffer = '';
  private nextId = 1;
  private readonly pending = new Map<string, Pending>();
  private readonly listeners = new Set<(event: AmiMessage) => void>();
  private closed = false;

  constructor(private readonly options: AmiOptions) {}

  /** Every event Asterisk sends (Event: …), after login. */
  onEvent(listener: (event: AmiMessage) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Sends an action (connecting and logging in first if needed); resolves with its response. */
  async action(fields: Readonly<Record<string, string>>): Promise<AmiMessage> {
    await this.ensureConnected();
    return this.send(fields);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.socket?.destroy();
    this.socket = undefined;
  }

  private send(fields: Readonly<Record<string, string>>): Promise<AmiMessage> {
    const socket = this.socket;
    if (!socket) return Promise.reject(new AmiError('AMI not connected'));
    const id = String(this.nextId++);
    const text = block({ ...fields, ActionID: id });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new AmiError(`AMI ${fields.Action} timed out`));
      }, this.options.timeoutMs ?? 5_000);
      this.pending.set(id, { resolve, reject, timer });
      socket.write(text);
    });
  }

  private ensureConnected(): Promise<void> {
    if (this.closed) return Promise.reject(new AmiError('AMI client closed'));
    if (this.socket) return Promise.resolve();
    this.connecting ??= this.open().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private async open(): Promise<void> {
    const socket = connect({ host: this.options.host, port: this.options.port });
    socket.setEncoding('utf8');
    socket.setNoDelay(true);
    await once(socket, 'connect');
    // The greeting ("Asterisk Call Manager/…") is one line without an empty line after it.
    let greeted = false;
    socket.on('data', (chunk: string) => {
      this.buffer += chunk;
      if (!greeted) {
        const end = this.buffer.indexOf('\r\n');
        if (end < 0) return;
        greeted = true;
        this.buffer = this.buffer.slice(end + 2);
      }
      for (let end = this.buffer.indexOf('\r\n\r\n'); end >= 0; end = this.buffer.indexOf('\r\n\r\n')) {
        const message = parse(this.buffer.slice(0, end));
        this.buffer = this.buffer.slice(end + 4);
        this.dispatch(message);
      }
    });
    socket.on('close', () => this.dropped(socket));
    socket.on('error', () => this.dropped(socket));
    this.socket = socket;
    const login = await this.send({
      Action: 'Login',
      Username: this.options.username,
      Secret: this.options.secret,
      Events: 'on',
    });
    if (login.Response !== 'Success') {
      this.dropped(socket);
      throw new AmiError(`AMI login refused: ${login.Message ?? 'no reason'}`);
    }
  }

  private dispatch(message: AmiMessage): void {
    const id = message.ActionID;
    const pending = id === undefined ? undefined : this.pending.get(id);
    if (pending && message.Response !== undefined) {
      this.pending.delete(id as string);
      clearTimeout(pending.timer);
      pending.resolve(message);
      return;
    }
    if (message.Event !== undefined) for (const listener of this.listeners) listener(message);
  }

  private dropped(socket: Socket): void {
    if (this.socket !== socket) return;
    this.socket = undefined;
    this.buffer = '';
    socket.destroy();
    for (const [id, pending] of this.pending) {
      clearTimeout(pending.timer);
      pending.reject(new AmiError('AMI connection lost'));
      this.pending.delete(id);
    }
  }
}
