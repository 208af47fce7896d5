import { sql } from 'drizzle-orm';
import { boolean, index, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/** authentik's event log: who did what, from where, with a JSON context. */
export const events = pgTable('authentik_events_event', {
  eventUuid: uuid('event_uuid').primaryKey().defaultRandom(),
  /** A snapshot (`pk`, `username`, `email`, `on_behalf_of`), so events outlive the user. */
  user: jsonb('user').$type<Record<string, unknown>>().notNull().default(sql`'{}'::jsonb`),
  action: text('action').notNull(),
  app: text('app').notNull(),
  context: jsonb('context').$type<Record<string, unknown>>().notNull().default(sql`'{}'::jsonb`),
  clientIp: text('client_ip'),
  created: timestamp('created', { withTimezone: true }).notNull().defaultNow(),
  expires: timestamp('expires', { withTimezone: true }).notNull(),
  expiring: boolean('expiring').notNull().default(true),
  tenant: jsonb('tenant').$type<Record<string, unknown>>().notNull().default(sql`'{}'::jsonb`),
}, (t) => [
  index('authentik_events_event_action_idx').on(t.action),
  index('authentik_events_event_created_idx').on(t.created),
  index('authentik_events_event_user_pk_idx').using('btree', sql`(${t.user}->>'pk')`),
  index('authentik_events_event_expires_idx').on(t.expires),
]);
