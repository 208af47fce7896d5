import { pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { propertyMappings } from '../table.js';

/**
 * An LDAP source mapping: the expression reading an LDAP entry. `object_field` names the user or group field it
 * sets (`name`, `attributes.upn`); blank when the expression returns a dictionary of fields, as newer authentik
 * blueprints write them.
 */
export const ldapSourcePropertyMappings = pgTable('authentik_sources_ldap_ldapsourcepropertymapping', {
  propertyMappingPtrId: uuid('propertymapping_ptr_id').primaryKey().references(() => propertyMappings.pmUuid, { onDelete: 'cascade' }),
  objectField: text('object_field').notNull().default(''),
});
