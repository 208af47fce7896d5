import { index, integer, pgTable, primaryKey, text, uuid } from 'drizzle-orm/pg-core';
import { providers } from '../core/table.js';

/** Base table of every property mapping type (scope mappings, SAML/LDAP/SCIM mappings…); subtypes share `pm_uuid`. */
export const propertyMappings = pgTable('authentik_core_propertymapping', {
  pmUuid: uuid('pm_uuid').primaryKey().defaultRandom(),
  name: text('name').notNull().unique(),
  expression: text('expression').notNull(),
  managed: text('managed').unique(),
  /** authentik model name of the subtype, e.g. `authentik_providers_oauth2.scopemapping`. */
  model: text('model').notNull(),
});

/** A provider's property mappings (authentik's `Provider.property_mappings`). */
export const providerPropertyMappings = pgTable('authentik_core_provider_property_mappings', {
  providerId: integer('provider_id').notNull().references(() => providers.id, { onDelete: 'cascade' }),
  propertyMappingId: uuid('propertymapping_id').notNull().references(() => propertyMappings.pmUuid, { onDelete: 'cascade' }),
}, (t) => [primaryKey({ columns: [t.providerId, t.propertyMappingId] }), index('authentik_core_provider_property_mappings_pm_idx').on(t.propertyMappingId)]);
