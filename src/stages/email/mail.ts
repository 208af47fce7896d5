import { createTransport } from 'nodemailer';
import type { Config } from '../../config/index.js';

/** Where and how to reach an SMTP server (authentik's email backend settings). */
export interface SmtpSettings {
  host: string;
  port: number;
  username: string;
  password: string;
  /** STARTTLS after connecting. */
  useTls: boolean;
  /** TLS from the first byte (SMTPS). */
  useSsl: boolean;
  /** Seconds each network step may take. */
  timeout: number;
  /** The sender (`From`), possibly with a display name. */
  from: string;
}

export interface OutgoingEmail {
  to: { name: string; address: string }[];
  subject: string;
  html: string;
  text: string;
}

/** A failure to send, with a message safe to show and record: it never carries credentials or server dialogue. */
export class EmailSendError extends Error {
  constructor(message: string, readonly code?: string, readonly responseCode?: number) {
    super(message);
    this.name = 'EmailSendError';
  }
}

/** The global settings (`AUTHENTIK_EMAIL__*`). */
export function globalSmtpSettings(config: Config): SmtpSettings {
  const email = config.email;
  return {
    host: email.host, port: email.port, username: email.username, password: email.password,
    useTls: email.use_tls, useSsl: email.use_ssl, timeout: email.timeout, from: email.from,
  };
}

const CONNECTION_CODES = new Set(['ECONNECTION', 'ESOCKET', 'ETIMEDOUT', 'EDNS', 'ETLS', 'ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENOTFOUND']);

function safeError(err: unknown): EmailSendError {
  const { code, responseCode } = (err ?? {}) as { code?: unknown; responseCode?: unknown };
  const codeText = typeof code === 'string' ? code : undefined;
  const status = typeof responseCode === 'number' ? responseCode : undefined;
  if (codeText === 'EAUTH') return new EmailSendError('Authentication with the mail server failed', codeText, status);
  if (codeText === 'EENVELOPE') return new EmailSendError(`The mail server refused the message${status ? ` (${status})` : ''}`, codeText, status);
  if (codeText && CONNECTION_CODES.has(codeText)) return new EmailSendError('Could not connect to the mail server', codeText, status);
  if (status) return new EmailSendError(`The mail server refused the message (${status})`, codeText, status);
  return new EmailSendError('Failed to send email', codeText, status);
}

/**
 * Sends one message over a fresh SMTP connection, as Django's SMTP backend does: SMTPS with `useSsl`, STARTTLS
 * required with `useTls` and never attempted otherwise, login only when both a username and a password are set.
 * Every network step is bounded by `timeout`, so a silent server cannot hold a request for long. Returns the
 * Message-ID.
 */
export async function sendEmail(settings: SmtpSettings, email: OutgoingEmail): Promise<string> {
  if (settings.useTls && settings.useSsl) throw new EmailSendError('use_tls and use_ssl are mutually exclusive, so only set one of them');
  const timeout = Math.max(1, settings.timeout) * 1000;
  const transport = createTransport({
    host: settings.host,
    port: settings.port,
    secure: settings.useSsl,
    requireTLS: settings.useTls,
    ignoreTLS: !settings.useTls && !settings.useSsl,
    auth: settings.username && settings.password ? { user: settings.username, pass: settings.password } : undefined,
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
    dnsTimeout: timeout,
    logger: false,
    debug: false,
  });
  try {
    const info = await transport.sendMail({
      from: settings.from,
      to: email.to.map((to) => ({ name: to.name, address: to.address })),
      subject: email.subject,
      text: email.text,
      html: email.html,
    });
    return String(info.messageId ?? '');
  } catch (err) {
    throw safeError(err);
  } finally {
    transport.close();
  }
}
