import type { DomainModule } from '../domain.js';
import { allProvidersViewSet, providerBaseModel } from './api.js';

/** `/providers/all/`: the provider base; each provider type is its own domain under this folder. */
export const providersDomain = {
  name: 'providers',
  models: [providerBaseModel],
  viewSets: [allProvidersViewSet],
} satisfies DomainModule;
