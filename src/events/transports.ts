import { eq } from 'drizzle-orm';
import type { ModelDefinition } from '../api/model.js';
import type { ViewSet } from '../api/viewset.js';
import { filters } from '../api/filters.js';
import { ValidationError } from '../api/errors.js';
import { users } from '../core/table.js';
import { notificationTransports, notificationWebhookMappings } from './table.js';
import { sendThroughTransport, NotificationTransportError } from './transport-send.js';

export type NotificationTransportRow = typeof notificationTransports.$inferSelect;

/** authentik's `TransportMode` labels. */
export const TRANSPORT_MODES: Record<string, string> = {
  local: 'authentik inbuilt notifications',
  webhook: 'Generic Webhook',
  webhook_slack: 'Slack Webhook (Slack/Discord)',
  email: 'Email',
};

const WEBHOOK_MODES = new Set(['webhook', 'webhook_slack']);

export const notificationTransportModel: ModelDefinition<NotificationTransportRow> = {
  name: 'authentik_events.notificationtransport',
  verboseName: 'Notification Transport',
  verboseNamePlural: 'Notification Transports',
  table: notificationTransports,
  pk: notificationTransports.uuid,
  requestSchema: 'NotificationTransportRequest',
  fields: {
    name: { column: notificationTransports.name },
    mode: { column: notificationTransports.mode },
    webhook_url: { column: notificationTransports.webhookUrl },
    webhook_mapping: { column: notificationTransports.webhookMapping },
    send_once: { column: notificationTransports.sendOnce },
  },
  uniqueFields: { authentik_events_notificationtransport_name_unique: 'name' },
  displayName: (row) => `Notification Transport ${row.name}`,
  async serialize(rows) {
    return rows.map((row) => ({
      pk: row.uuid,
      name: row.name,
      mode: row.mode,
      mode_verbose: TRANSPORT_MODES[row.mode] ?? row.mode,
      webhook_url: row.webhookUrl,
      webhook_mapping: row.webhookMapping,
      send_once: row.sendOnce,
    }));
  },
  async validate(data, ctx, existing) {
    const errors: Record<string, string[]> = {};
    const mode = (data.mode as string | undefined) ?? existing?.mode ?? 'local';
    const url = 'webhook_url' in data ? data.webhook_url : existing?.webhookUrl;
    if (WEBHOOK_MODES.has(mode) && !url) errors.webhook_url = ['Webhook URL may not be empty.'];
    if (typeof data.webhook_mapping === 'string') {
      const [mapping] = await ctx.services.db.select().from(notificationWebhookMappings)
        .where(eq(notificationWebhookMappings.propertyMappingPtrId, data.webhook_mapping)).limit(1);
      if (!mapping) errors.webhook_mapping = [`Invalid pk "${data.webhook_mapping}" - object does not exist.`];
    }
    if (Object.keys(errors).length) throw new ValidationError(errors);
  },
};

export const notificationTransportViewSet: ViewSet<NotificationTransportRow> = {
  model: notificationTransportModel,
  path: '/events/transports/',
  lookupParam: 'uuid',
  lookupColumn: notificationTransports.uuid,
  lookupType: 'uuid',
  filters: {
    name: filters.exact(notificationTransports.name),
    mode: filters.exact(notificationTransports.mode),
    webhook_url: filters.exact(notificationTransports.webhookUrl),
    send_once: filters.boolean(notificationTransports.sendOnce),
  },
  search: [notificationTransports.name, notificationTransports.mode, notificationTransports.webhookUrl],
  ordering: { name: notificationTransports.name, mode: notificationTransports.mode, webhook_url: notificationTransports.webhookUrl },
  defaultOrdering: ['name'],
  actions: [
    {
      // authentik sends a made-up notification to the caller through the transport and shows what came back.
      method: 'POST', path: 'test', detail: true, access: 'superuser',
      async handler(ctx, transport) {
        const [user] = await ctx.services.db.select().from(users).where(eq(users.id, ctx.principal.id)).limit(1);
        if (!user) return { status: 400, body: { non_field_errors: ['Only users can test a transport.'] } };
        try {
          const messages = await sendThroughTransport(ctx.services, transport!, {
            severity: 'notice',
            body: `Test Notification from transport ${transport!.name}`,
            user,
            event: { action: 'custom_Test', app: 'authentik.events.api.notification_transports', context: { foo: 'bar' } },
          });
          return { messages };
        } catch (err) {
          if (err instanceof NotificationTransportError) return { status: 500, body: err.message };
          throw err;
        }
      },
    },
  ],
};
