import { boolean, integer, pgTable, uuid } from 'drizzle-orm/pg-core';
import { policies } from '../table.js';

export const dummyPolicies = pgTable('authentik_policies_dummy_dummypolicy', {
  policyPtrId: uuid('policy_ptr_id').primaryKey().references(() => policies.policyUuid, { onDelete: 'cascade' }),
  result: boolean('result').notNull().default(false),
  waitMin: integer('wait_min').notNull().default(5),
  waitMax: integer('wait_max').notNull().default(30),
});
