import { sql } from 'drizzle-orm';
import { bigint, boolean, index, integer, jsonb, pgTable, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';
import { policies } from '../table.js';

export const reputationPolicies = pgTable('authentik_policies_reputation_reputationpolicy', {
  policyPtrId: uuid('policy_ptr_id').primaryKey().references(() => policies.policyUuid, { onDelete: 'cascade' }),
  checkIp: boolean('check_ip').notNull().default(true),
  checkUsername: boolean('check_username').notNull().default(true),
  threshold: integer('threshold').notNull().default(-5),
});

/** A score per (identifier, IP): lowered by failed logins, raised by successful ones. */
export const reputations = pgTable('authentik_policies_reputation_reputation', {
  reputationUuid: uuid('reputation_uuid').primaryKey().defaultRandom(),
  identifier: text('identifier').notNull(),
  ip: text('ip').notNull(),
  ipGeoData: jsonb('ip_geo_data').$type<Record<string, unknown>>().notNull().default(sql`'{}'::jsonb`),
  ipAsnData: jsonb('ip_asn_data').$type<Record<string, unknown>>().notNull().default(sql`'{}'::jsonb`),
  score: bigint('score', { mode: 'number' }).notNull().default(0),
  expires: timestamp('expires', { withTimezone: true }).notNull(),
  expiring: boolean('expiring').notNull().default(true),
  updated: timestamp('updated', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [
  unique('authentik_policies_reputation_reputation_identifier_ip').on(t.identifier, t.ip),
  index('authentik_policies_reputation_reputation_ip_idx').on(t.ip),
  index('authentik_policies_reputation_reputation_expires_idx').on(t.expires),
]);
