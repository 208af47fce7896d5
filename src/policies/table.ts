import { boolean, index, integer, pgTable, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';
import { groups, users } from '../core/table.js';

/** Base table of every policy type; each type's table shares its `policy_uuid` (`policy_ptr_id`). */
export const policies = pgTable('authentik_policies_policy', {
  policyUuid: uuid('policy_uuid').primaryKey().defaultRandom(),
  name: text('name').notNull().unique(),
  executionLogging: boolean('execution_logging').notNull().default(false),
  /** authentik model name of the subtype, e.g. `authentik_policies_dummy.dummypolicy`. */
  model: text('model').notNull(),
  created: timestamp('created', { withTimezone: true }).notNull().defaultNow(),
  lastUpdated: timestamp('last_updated', { withTimezone: true }).notNull().defaultNow().$onUpdate(() => new Date()),
});

/**
 * A binding of a policy, a group or a user to a target. Targets (flows, stage bindings, applications, sources)
 * live in other domains' tables with a shared `pbm_uuid`, so `target_id` has no foreign key: the owner of a
 * target calls `deleteBindingsOf` when it deletes one.
 */
export const policyBindings = pgTable('authentik_policies_policybinding', {
  policyBindingUuid: uuid('policy_binding_uuid').primaryKey().defaultRandom(),
  enabled: boolean('enabled').notNull().default(true),
  policyId: uuid('policy_id').references(() => policies.policyUuid, { onDelete: 'cascade' }),
  groupId: uuid('group_id').references(() => groups.groupUuid, { onDelete: 'cascade' }),
  userId: integer('user_id').references(() => users.id, { onDelete: 'cascade' }),
  targetId: uuid('target_id').notNull(),
  negate: boolean('negate').notNull().default(false),
  timeout: integer('timeout').notNull().default(30),
  failureResult: boolean('failure_result').notNull().default(false),
  order: integer('order').notNull(),
}, (t) => [
  unique('authentik_policies_policybinding_policy_target_order').on(t.policyId, t.targetId, t.order),
  index('authentik_policies_policybinding_policy_idx').on(t.policyId),
  index('authentik_policies_policybinding_group_idx').on(t.groupId),
  index('authentik_policies_policybinding_user_idx').on(t.userId),
  index('authentik_policies_policybinding_target_idx').on(t.targetId, t.order),
]);
