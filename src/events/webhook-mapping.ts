import { definePropertyMappingModel, type PropertyMappingRow } from '../propertymappings/model.js';
import { propertyMappingViewSet } from '../propertymappings/viewset.js';
import { notificationWebhookMappings } from './table.js';

type Own = typeof notificationWebhookMappings.$inferSelect;
export type NotificationWebhookMappingRow = PropertyMappingRow & Own;

/** A mapping a webhook transport runs to build its request body from the notification. */
export const notificationWebhookMappingModel = definePropertyMappingModel<Own>({
  type: {
    modelName: 'authentik_events.notificationwebhookmapping',
    component: 'ak-property-mapping-notification-form',
    verboseName: 'Webhook Mapping',
    verboseNamePlural: 'Webhook Mappings',
    description: 'Modify the payload of an outgoing webhook message',
  },
  table: notificationWebhookMappings,
  link: notificationWebhookMappings.propertyMappingPtrId,
  requestSchema: 'NotificationWebhookMappingRequest',
  fields: {},
  serialize: () => ({}),
});

export const notificationWebhookMappingViewSet = propertyMappingViewSet<NotificationWebhookMappingRow>(notificationWebhookMappingModel, {
  path: '/propertymappings/notification/',
});
