import type { DomainModule } from '../domain.js';
import { eventModel, eventViewSet } from './api.js';

export const eventsDomain = {
  name: 'events',
  models: [eventModel],
  viewSets: [eventViewSet],
} satisfies DomainModule;
