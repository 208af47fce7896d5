import { definePropertyMappingModel, type PropertyMappingRow } from '../model.js';
import { propertyMappingViewSet } from '../viewset.js';
import { scimMappings } from './table.js';

type Own = typeof scimMappings.$inferSelect;
export type ScimMappingRow = PropertyMappingRow & Own;

export const scimMappingModel = definePropertyMappingModel<Own>({
  type: {
    modelName: 'authentik_providers_scim.scimmapping',
    component: 'ak-property-mapping-scim-form',
    verboseName: 'SCIM Mapping',
    verboseNamePlural: 'SCIM Mappings',
    description: 'Map authentik users and groups to SCIM attributes',
  },
  table: scimMappings,
  link: scimMappings.propertyMappingPtrId,
  requestSchema: 'SCIMMappingRequest',
  fields: {},
  serialize: () => ({}),
});

export const scimMappingViewSet = propertyMappingViewSet<ScimMappingRow>(scimMappingModel, { path: '/propertymappings/scim/' });
