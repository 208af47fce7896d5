import { filters } from '../../api/filters.js';
import { ValidationError } from '../../api/errors.js';
import { definePropertyMappingModel, type PropertyMappingRow } from '../model.js';
import { propertyMappingViewSet } from '../viewset.js';
import { ldapSourcePropertyMappings } from './table.js';

type Own = typeof ldapSourcePropertyMappings.$inferSelect;
export type LdapSourcePropertyMappingRow = PropertyMappingRow & Own;

export const ldapSourcePropertyMappingModel = definePropertyMappingModel<Own>({
  type: {
    modelName: 'authentik_sources_ldap.ldapsourcepropertymapping',
    component: 'ak-property-mapping-ldap-form',
    verboseName: 'LDAP Property Mapping',
    verboseNamePlural: 'LDAP Property Mappings',
    description: 'Map LDAP Property to User or Group object attribute',
  },
  table: ldapSourcePropertyMappings,
  link: ldapSourcePropertyMappings.propertyMappingPtrId,
  // Blueprints write through the base fields' schema (the same three fields as a SCIM mapping's): authentik's newer
  // blueprints leave `object_field` out and return a dictionary, which 2023.10's required field would refuse.
  requestSchema: 'SCIMMappingRequest',
  fields: { object_field: { column: ldapSourcePropertyMappings.objectField } },
  serialize: (row) => ({ object_field: row.objectField }),
  validate(data) {
    if ('object_field' in data && typeof data.object_field !== 'string') throw ValidationError.field('object_field', 'Not a valid string.');
  },
});

/** The API keeps 2023.10's contract: `object_field` is required there. */
export const ldapSourcePropertyMappingViewSet = propertyMappingViewSet<LdapSourcePropertyMappingRow>(ldapSourcePropertyMappingModel, {
  path: '/propertymappings/ldap/',
  requestSchema: 'LDAPPropertyMappingRequest',
  filters: { object_field: filters.exact(ldapSourcePropertyMappings.objectField) },
  search: [ldapSourcePropertyMappings.objectField],
  ordering: { object_field: ldapSourcePropertyMappings.objectField },
  defaultOrdering: ['name'],
});
