import { boolean, integer, pgTable, uuid } from 'drizzle-orm/pg-core';
import { policies } from '../table.js';

export const passwordExpiryPolicies = pgTable('authentik_policies_expiry_passwordexpirypolicy', {
  policyPtrId: uuid('policy_ptr_id').primaryKey().references(() => policies.policyUuid, { onDelete: 'cascade' }),
  denyOnly: boolean('deny_only').notNull().default(false),
  days: integer('days').notNull(),
});
