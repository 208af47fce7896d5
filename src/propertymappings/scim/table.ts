import { pgTable, uuid } from 'drizzle-orm/pg-core';
import { propertyMappings } from '../table.js';

/** A SCIM mapping: the expression building a user's or a group's SCIM object; no fields of its own. */
export const scimMappings = pgTable('authentik_providers_scim_scimmapping', {
  propertyMappingPtrId: uuid('propertymapping_ptr_id').primaryKey().references(() => propertyMappings.pmUuid, { onDelete: 'cascade' }),
});
