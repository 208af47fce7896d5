import { pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { policies } from '../table.js';

export const eventMatcherPolicies = pgTable('authentik_policies_event_matcher_eventmatcherpolicy', {
  policyPtrId: uuid('policy_ptr_id').primaryKey().references(() => policies.policyUuid, { onDelete: 'cascade' }),
  action: text('action'),
  app: text('app'),
  // Not `model`: the base table's `model` (the subtype's name) shares the merged row.
  matchModel: text('model'),
  clientIp: text('client_ip'),
});
