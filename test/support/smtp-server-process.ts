/**
 * A real SMTP server (npm smtp-server, from the nodemailer project) as a process of its own, for
 * tests: STARTTLS with the certificate it is given, AUTH PLAIN/LOGIN with one user, and every
 * message it accepts written whole (RFC 5322 text) into a folder as <n>.eml. Run as
 *   node --import tsx test/support/smtp-server-process.ts
 * with SMTP_HOST, SMTP_PORT, SMTP_DIR, SMTP_KEY, SMTP_CERT, SMTP_USER, SMTP_PASSWORD.
 * Prints `listening` once it accepts connections.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};
const dir = env('SMTP_DIR');
const user = env('SMTP_USER');
const password = env('SMTP_PASSWORD');
let count = 0;

const server = new SMTPServer({
  key: readFileSync(env('SMTP_KEY')),
  cert: readFileSync(env('SMTP_CERT')),
  // Plain text until STARTTLS; AUTH only after it (the client requires it).
  secure: false,
  allowInsecureAuth: false,
  authMethods: ['PLAIN', 'LOGIN'],
  size: 50 * 1024 * 1024,
  logger: false,
  onAuth(auth, _session, callback) {
    if (auth.username === user && auth.password === password) callback(null, { user: auth.username });
    else callback(new Error('Invalid username or password'));
  },
  onData(stream, session, callback) {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => {
      count += 1;
      const name = `${Date.now()}-${process.pid}-${String(count).padStart(5, '0')}`;
      // Written beside, then renamed: a reader never sees half a message.
      writeFileSync(join(dir, `${name}.tmp`), Buffer.concat(chunks));
      renameSync(join(dir, `${name}.tmp`), join(dir, `${name}.eml`));
      process.stdout.write(`accepted ${name} tls=${session.secure} user=${session.user}\n`);
      callback();
    });
  },
});
server.on('error', (error) => process.stderr.write(`smtp error: ${error.message}\n`));
server.listen(Number(env('SMTP_PORT')), env('SMTP_HOST'), () => process.stdout.write('listening\n'));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
