import { sql } from 'drizzle-orm';
import { boolean, jsonb, pgTable, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';

/** A blueprint to apply: a file under the blueprints folder (`path`) or inline `content`, with its context. */
export const blueprintInstances = pgTable('authentik_blueprints_blueprintinstance', {
  instanceUuid: uuid('instance_uuid').primaryKey().defaultRandom(),
  created: timestamp('created', { withTimezone: true }).notNull().defaultNow(),
  lastUpdated: timestamp('last_updated', { withTimezone: true }).notNull().defaultNow(),
  managed: text('managed').unique(),
  name: text('name').notNull(),
  metadata: jsonb('metadata').$type<Record<string, unknown>>().notNull().default(sql`'{}'::jsonb`),
  path: text('path').notNull().default(''),
  content: text('content').notNull().default(''),
  context: jsonb('context').$type<Record<string, unknown>>().notNull().default(sql`'{}'::jsonb`),
  lastApplied: timestamp('last_applied', { withTimezone: true }).notNull().defaultNow(),
  lastAppliedHash: text('last_applied_hash').notNull().default(''),
  status: text('status').notNull().default('unknown'),
  enabled: boolean('enabled').notNull().default(true),
  managedModels: text('managed_models').array().notNull().default(sql`'{}'::text[]`),
  /**
   * Not authentik's: what the last failed apply failed on (`failureFingerprint`: its content and the models this
   * server had), so that discovery does not retry it at every start until one of them changes.
   */
  failedFingerprint: text('failed_fingerprint').notNull().default(''),
}, (t) => [unique('authentik_blueprints_blueprintinstance_name_path').on(t.name, t.path)]);

export type BlueprintInstanceRow = typeof blueprintInstances.$inferSelect;
