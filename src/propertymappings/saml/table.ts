import { pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { propertyMappings } from '../table.js';

/** A SAML attribute statement's attribute: its `Name`, an optional `FriendlyName`, and the expression giving its values. */
export const samlPropertyMappings = pgTable('authentik_providers_saml_samlpropertymapping', {
  propertyMappingPtrId: uuid('propertymapping_ptr_id').primaryKey().references(() => propertyMappings.pmUuid, { onDelete: 'cascade' }),
  samlName: text('saml_name').notNull(),
  friendlyName: text('friendly_name'),
});
