import { eq } from 'drizzle-orm';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import type { Services } from '../api/context.js';
import type { users } from '../core/table.js';
import { propertyMappings } from '../propertymappings/table.js';
import { evaluateMapping } from '../propertymappings/evaluate.js';
import { EmailSendError, globalSmtpSettings, sendEmail } from '../stages/email/mail.js';
import { renderTemplate } from '../stages/email/template.js';
import { htmlToText, templateLoader } from '../stages/email/templates.js';
import { notifications, type notificationTransports } from './table.js';
import { projectPath, projectVersion } from '../lib/project.js';

type UserRow = typeof users.$inferSelect;
type TransportRow = typeof notificationTransports.$inferSelect;

/** The event a notification is about, as transports read it (a recorded event, or the `test` action's made-up one). */
export interface NotificationEvent {
  eventUuid?: string;
  action: string;
  app: string;
  context: Record<string, unknown>;
  user?: Record<string, unknown>;
  created?: Date;
}

/** A notification on its way out: not saved yet (the local transport saves it). */
export interface OutgoingNotification {
  severity: string;
  body: string;
  user: UserRow;
  event: NotificationEvent | null;
}

/** A transport that could not deliver; the message is the remote's answer or the reason, never a credential. */
export class NotificationTransportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotificationTransportError';
  }
}

/** How long a webhook may take to answer. */
const WEBHOOK_TIMEOUT_MS = 10_000;
const OWN_TEMPLATES = projectPath('src/events/templates');

/** What a webhook mapping sees as `notification` (an object with attributes, as authentik's model). */
class NotificationView {
  constructor(readonly severity: string, readonly body: string, readonly user: UserRow, readonly event: EventView | null) {}
}

class EventView {
  constructor(readonly action: string, readonly app: string, readonly context: Record<string, unknown>, readonly user: Record<string, unknown>, readonly pk: string | null) {}
}

function viewOf(notification: OutgoingNotification): NotificationView {
  const event = notification.event;
  return new NotificationView(notification.severity, notification.body, notification.user,
    event ? new EventView(event.action, event.app, event.context, event.user ?? {}, event.eventUuid ?? null) : null);
}

async function mappedBody(services: Services, transport: TransportRow, notification: OutgoingNotification): Promise<unknown | undefined> {
  if (!transport.webhookMapping) return undefined;
  const [mapping] = await services.db.select().from(propertyMappings).where(eq(propertyMappings.pmUuid, transport.webhookMapping)).limit(1);
  if (!mapping) return undefined;
  return evaluateMapping(services, mapping, { user: notification.user, globals: { notification: viewOf(notification) } });
}

async function postJson(url: string, body: unknown): Promise<string[]> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
    });
  } catch (err) {
    throw new NotificationTransportError((err as Error).message);
  }
  const text = await response.text();
  if (!response.ok) throw new NotificationTransportError(text || `${response.status} ${response.statusText}`);
  return [String(response.status), text];
}

function stringEntries(context: Record<string, unknown>): [string, string][] {
  return Object.entries(context).filter((entry): entry is [string, string] => typeof entry[1] === 'string');
}

function slackBody(notification: OutgoingNotification): Record<string, unknown> {
  const fields: Record<string, unknown>[] = [
    { title: 'Severity', value: notification.severity, short: true },
    { title: 'Dispatched for user', value: notification.user.username, short: true },
  ];
  // Discord takes at most 25 fields, titles of 256 and values of 1024 characters.
  for (const [key, value] of stringEntries(notification.event?.context ?? {})) {
    if (fields.length >= 25) break;
    fields.push({ title: key.slice(0, 256), value: value.slice(0, 1024) });
  }
  return {
    username: 'authentik',
    icon_url: 'https://goauthentik.io/img/icon.png',
    attachments: [{
      author_name: 'authentik',
      author_link: 'https://goauthentik.io',
      author_icon: 'https://goauthentik.io/img/icon.png',
      title: notification.event?.action ?? notification.body,
      color: '#fd4b2d',
      fields,
      footer: `authentik v${projectVersion()}`,
    }],
  };
}

async function sendMail(services: Services, notification: OutgoingNotification): Promise<string[]> {
  const { user, event } = notification;
  if (!user.email) throw new NotificationTransportError(`User ${user.username} has no email address`);
  const title = `authentik Notification: ${event ? event.action : notification.body.slice(0, 75)}`;
  const custom = templateLoader(services.config.email.template_dir);
  const load = (name: string) => custom(name) ?? (name === 'email/generic.html' ? readFileSync(join(OWN_TEMPLATES, name), 'utf8') : undefined);
  const html = renderTemplate(load, 'email/generic.html', {
    title, body: notification.body, key_value: stringEntries(event?.context ?? {}).map(([key, value]) => ({ key, value })),
  }, { html: true });
  try {
    await sendEmail(globalSmtpSettings(services.config), {
      to: [{ name: user.name, address: user.email }], subject: title, html, text: htmlToText(html),
    });
  } catch (err) {
    throw new NotificationTransportError(err instanceof EmailSendError ? err.message : 'Failed to send email');
  }
  return [];
}

/**
 * Delivers a notification as authentik's `NotificationTransport.send` does, returning what the remote answered
 * (a webhook's status and body). The local transport saves the notification for the user's notification list;
 * the others only send it out. Throws NotificationTransportError when delivery fails, and a mapping's error
 * when the webhook mapping raises.
 */
export async function sendThroughTransport(services: Services, transport: TransportRow, notification: OutgoingNotification): Promise<string[]> {
  switch (transport.mode) {
    case 'local': {
      await mappedBody(services, transport, notification);
      await services.db.insert(notifications).values({
        severity: notification.severity, body: notification.body, user: notification.user.id, event: notification.event?.eventUuid ?? null,
      });
      return [];
    }
    case 'webhook': {
      const body = (await mappedBody(services, transport, notification)) ?? {
        body: notification.body, severity: notification.severity, user_email: notification.user.email, user_username: notification.user.username,
      };
      return postJson(transport.webhookUrl, body);
    }
    case 'webhook_slack':
      return postJson(transport.webhookUrl, slackBody(notification));
    case 'email':
      return sendMail(services, notification);
    default:
      throw new NotificationTransportError(`Invalid mode ${transport.mode} set`);
  }
}
