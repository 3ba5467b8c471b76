import { once } from 'node:events';
import { createServer, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createMailer } from '../../agi-server/src/mail/mailer.js';

describe('the mailer', () => {
  it('gives up a send to a server that greets and then answers nothing, and asks for a retry', async () => {
    const sockets: Socket[] = [];
    // Greets like an SMTP server, then stays silent: none of nodemailer's own timeouts is near.
    const server = createServer((socket) => {
      sockets.push(socket);
      socket.on('error', () => undefined);
      socket.write('220 mail.example.com ESMTP\r\n');
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as { port: number };
    const mailer = createMailer(
      { url: `smtp://127.0.0.1:${port}`, startTls: 'optional', from: 'pbx@example.com' },
      { sendDeadlineMs: 1_500 },
    );
    // The deadline ends it (its own reason), long before nodemailer's 30 s socket timeout would.
    const result = await mailer.send({ to: 'ann@example.com', subject: 'Voicemail', text: 'x' });
    expect(result).toEqual({ kind: 'retry', reason: 'ETIMEDOUT: no answer within 1500 ms' });
    mailer.close();
    for (const socket of sockets) socket.destroy();
    server.close();
  });
});
