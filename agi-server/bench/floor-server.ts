import { once } from 'node:events';
import { createServer, type Server } from 'node:net';

/**
 * The floor: a raw `net` FastAGI responder with no parsing, no checks, no routing and no log. It
 * waits for the end of the environment block (a blank line), writes one fixed answer, and closes
 * once Asterisk has answered it. What any FastAGI server costs at least, in CPU (npm run bench)
 * and in call setup on real Asterisk (npm run bench:lab): the figure ours is read against.
 */
export async function startFloorServer(options: {
  readonly host: string;
  readonly port: number;
  /** The environment block -> the one command line to send (with its newline). */
  readonly answer: (environment: string) => string;
}): Promise<Server> {
  const server = createServer({ noDelay: true }, (socket) => {
    let buffer = '';
    let answered = false;
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      if (!answered && buffer.includes('\n\n')) {
        answered = true;
        socket.write(options.answer(buffer));
        buffer = buffer.slice(buffer.indexOf('\n\n') + 2);
      }
      if (answered && buffer.includes('\n')) socket.end();
    });
    socket.on('error', () => undefined);
  });
  server.listen({ host: options.host, port: options.port, backlog: 511 });
  await once(server, 'listening');
  return server;
}
