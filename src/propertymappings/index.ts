import type { DomainModule } from '../domain.js';
import { allPropertyMappingsModel, allPropertyMappingsViewSet } from './api.js';

/** The property mapping base: `/propertymappings/all/`; each mapping type lives with the domain that uses it. */
export const propertyMappingsDomain = {
  name: 'propertymappings',
  models: [allPropertyMappingsModel],
  viewSets: [allPropertyMappingsViewSet],
} satisfies DomainModule;
