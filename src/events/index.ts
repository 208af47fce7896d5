import type { DomainModule } from '../domain.js';
import { eventModel, eventViewSet } from './api.js';
import { onEventRecorded } from './record.js';
import { deliverNotificationsFor } from './delivery.js';
import { notificationTransportModel, notificationTransportViewSet } from './transports.js';
import { notificationRuleModel, notificationRuleViewSet } from './rules.js';
import { notificationModel, notificationViewSet } from './notifications.js';
import { notificationWebhookMappingModel, notificationWebhookMappingViewSet } from './webhook-mapping.js';

onEventRecorded(deliverNotificationsFor);

export const eventsDomain = {
  name: 'events',
  models: [eventModel, notificationTransportModel, notificationRuleModel, notificationModel, notificationWebhookMappingModel],
  viewSets: [eventViewSet, notificationTransportViewSet, notificationRuleViewSet, notificationViewSet, notificationWebhookMappingViewSet],
} satisfies DomainModule;
