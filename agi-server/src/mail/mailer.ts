import { readFileSync } from 'node:fs';
import nodemailer from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';

/**
 * Mail through the operator's SMTP server with nodemailer (docs/voicemail.md): smtp:// speaks
 * STARTTLS (required unless SB_SMTP_STARTTLS=optional, so a password never crosses in clear),
 * smtps:// is TLS from the first byte; TLS 1.2 at least, the certificate checked against the
 * system's CAs or SB_SMTP_CA_FILE. No SMTP is written here: nodemailer is kept, tested and knows
 * the servers' quirks.
 */

export interface MailSettings {
  /** smtp://[user:password@]host[:port] or smtps://… */
  readonly url: string;
  readonly startTls: 'required' | 'optional';
  readonly caFile?: string | undefined;
  readonly from: string;
}

export interface MailAttachment {
  readonly filename: string;
  readonly path: string;
  readonly contentType: string;
}

export interface OutgoingMail {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly attachments?: readonly MailAttachment[];
}

/** How a send ended: sent, worth trying again (server away, busy, 4xx), or refused for good (5xx). */
export type MailResult =
  | { readonly kind: 'sent'; readonly messageId: string }
  | { readonly kind: 'retry'; readonly reason: string }
  | { readonly kind: 'failed'; readonly reason: string };

export interface Mailer {
  send(mail: OutgoingMail): Promise<MailResult>;
  close(): void;
}

/** nodemailer's transport options from the settings (exported for the unit test). */
export function transportOptions(settings: MailSettings): SMTPTransport.Options {
  const url = new URL(settings.url);
  const secure = url.protocol === 'smtps:';
  const user = decodeURIComponent(url.username);
  return {
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port ? Number(url.port) : secure ? 465 : 587,
    secure,
    requireTLS: !secure && settings.startTls === 'required',
    ...(user ? { auth: { user, pass: decodeURIComponent(url.password) } } : {}),
    tls: {
      minVersion: 'TLSv1.2',
      ...(settings.caFile ? { ca: readFileSync(settings.caFile, 'utf8') } : {}),
    },
    connectionTimeout: SMTP_CONNECTION_TIMEOUT_MS,
    greetingTimeout: SMTP_GREETING_TIMEOUT_MS,
    socketTimeout: SMTP_SOCKET_TIMEOUT_MS,
  };
}

/** nodemailer's own bounds for one send: to connect, for the greeting, for silence on the socket. */
const SMTP_CONNECTION_TIMEOUT_MS = 10_000;
const SMTP_GREETING_TIMEOUT_MS = 10_000;
const SMTP_SOCKET_TIMEOUT_MS = 30_000;

/**
 * The longest one send may take, whatever the server does: a server that answers each command
 * just inside the socket timeout would hold it far longer than any single timeout. Past it the
 * send is given up and tried again with backoff (the connection ends at its socket timeout). The
 * outbox's mail lane leases a row for longer than this (messaging/outbox-worker.ts).
 */
export const SMTP_SEND_DEADLINE_MS = 60_000;

interface SmtpError extends Error {
  code?: string;
  responseCode?: number;
}

export function createMailer(
  settings: MailSettings,
  bounds: { readonly sendDeadlineMs?: number } = {},
): Mailer {
  const sendDeadlineMs = bounds.sendDeadlineMs ?? SMTP_SEND_DEADLINE_MS;
  const transport = nodemailer.createTransport(transportOptions(settings));
  return {
    async send(mail) {
      let deadline: NodeJS.Timeout | undefined;
      try {
        const sent = transport.sendMail({
          from: settings.from,
          to: mail.to,
          subject: mail.subject,
          text: mail.text,
          attachments: (mail.attachments ?? []).map((attachment) => ({ ...attachment })),
        });
        // A send given up on may still fail later: that failure is nobody's to handle.
        sent.catch(() => undefined);
        const info = await Promise.race([
          sent,
          new Promise<never>((_, reject) => {
            deadline = setTimeout(
              () =>
                reject(
                  Object.assign(new Error(`no answer within ${sendDeadlineMs} ms`), {
                    code: 'ETIMEDOUT',
                  }),
                ),
              sendDeadlineMs,
            );
          }),
        ]);
        return { kind: 'sent', messageId: info.messageId };
      } catch (error) {
        const smtp = error as SmtpError;
        const reason = `${smtp.code ?? 'error'}${smtp.responseCode ? ` ${smtp.responseCode}` : ''}: ${smtp.message}`;
        // A 5xx to the recipient or the message is final (no such mailbox, too large); anything
        // else (connection refused, timeout, 4xx, a login refused while the server is being fixed)
        // is tried again with backoff.
        const final =
          smtp.responseCode !== undefined &&
          smtp.responseCode >= 500 &&
          (smtp.code === 'EENVELOPE' || smtp.code === 'EMESSAGE');
        return final ? { kind: 'failed', reason } : { kind: 'retry', reason };
      } finally {
        clearTimeout(deadline);
      }
    },
    close: () => transport.close(),
  };
}
