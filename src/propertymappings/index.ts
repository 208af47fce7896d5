import type { DomainModule } from '../domain.js';
import { allPropertyMappingsModel, allPropertyMappingsViewSet } from './api.js';
import { samlPropertyMappingModel, samlPropertyMappingViewSet } from './saml/api.js';
import { scimMappingModel, scimMappingViewSet } from './scim/api.js';
import { ldapSourcePropertyMappingModel, ldapSourcePropertyMappingViewSet } from './ldap/api.js';

/**
 * The property mapping base: `/propertymappings/all/`; a mapping type lives with the domain that uses it. The SAML,
 * SCIM and LDAP mapping types wait here for their provider and source folders.
 */
export const propertyMappingsDomain = {
  name: 'propertymappings',
  models: [allPropertyMappingsModel, samlPropertyMappingModel, scimMappingModel, ldapSourcePropertyMappingModel],
  viewSets: [allPropertyMappingsViewSet, samlPropertyMappingViewSet, scimMappingViewSet, ldapSourcePropertyMappingViewSet],
} satisfies DomainModule;
