import { filters } from '../../api/filters.js';
import { definePropertyMappingModel, type PropertyMappingRow } from '../model.js';
import { propertyMappingViewSet } from '../viewset.js';
import { samlPropertyMappings } from './table.js';

type Own = typeof samlPropertyMappings.$inferSelect;
export type SamlPropertyMappingRow = PropertyMappingRow & Own;

export const samlPropertyMappingModel = definePropertyMappingModel<Own>({
  type: {
    modelName: 'authentik_providers_saml.samlpropertymapping',
    component: 'ak-property-mapping-saml-form',
    verboseName: 'SAML Property Mapping',
    verboseNamePlural: 'SAML Property Mappings',
    description: 'Map User/Group attributes to SAML Attributes',
  },
  table: samlPropertyMappings,
  link: samlPropertyMappings.propertyMappingPtrId,
  requestSchema: 'SAMLPropertyMappingRequest',
  fields: {
    saml_name: { column: samlPropertyMappings.samlName },
    friendly_name: { column: samlPropertyMappings.friendlyName },
  },
  serialize: (row) => ({ saml_name: row.samlName, friendly_name: row.friendlyName }),
});

export const samlPropertyMappingViewSet = propertyMappingViewSet<SamlPropertyMappingRow>(samlPropertyMappingModel, {
  path: '/propertymappings/saml/',
  filters: { saml_name: filters.exact(samlPropertyMappings.samlName), friendly_name: filters.exact(samlPropertyMappings.friendlyName) },
  search: [samlPropertyMappings.samlName, samlPropertyMappings.friendlyName],
  ordering: { saml_name: samlPropertyMappings.samlName },
  defaultOrdering: ['saml_name', 'name'],
});
