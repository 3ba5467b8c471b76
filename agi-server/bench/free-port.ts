import { createServer } from 'node:net';

/**
 * A loopback port nobody listens on right now, for a child process that must be told its port
 * up front (the validated config and ding-dong both refuse port 0, twilio-run asks for one).
 */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}
