import { pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { policies } from '../table.js';

export const expressionPolicies = pgTable('authentik_policies_expression_expressionpolicy', {
  policyPtrId: uuid('policy_ptr_id').primaryKey().references(() => policies.policyUuid, { onDelete: 'cascade' }),
  expression: text('expression').notNull(),
});
