import { sql } from 'drizzle-orm';
import { boolean, foreignKey, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { groups, users } from '../core/table.js';
import { propertyMappings } from '../propertymappings/table.js';

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

/** A notification webhook mapping (authentik's `NotificationWebhookMapping`): a property mapping with no fields of its own. */
export const notificationWebhookMappings = pgTable('authentik_events_notificationwebhookmapping', {
  propertyMappingPtrId: uuid('propertymapping_ptr_id').primaryKey().references(() => propertyMappings.pmUuid, { onDelete: 'cascade' }),
});

/** How a notification leaves authentik: kept locally, posted to a webhook (generic or Slack), or mailed. */
export const notificationTransports = pgTable('authentik_events_notificationtransport', {
  uuid: uuid('uuid').primaryKey().defaultRandom(),
  name: text('name').notNull().unique(),
  mode: text('mode').notNull().default('local'),
  webhookUrl: text('webhook_url').notNull().default(''),
  webhookMapping: uuid('webhook_mapping_id').references(() => notificationWebhookMappings.propertyMappingPtrId, { onDelete: 'set null' }),
  sendOnce: boolean('send_once').notNull().default(false),
});

/**
 * A rule whose bound policies decide which events notify its group. Rules are policy binding targets, as flows
 * are: `pbm_uuid` is what bindings' `target_id` points at (here also the primary key, as in authentik).
 */
export const notificationRules = pgTable('authentik_events_notificationrule', {
  pbmUuid: uuid('pbm_uuid').primaryKey().defaultRandom(),
  name: text('name').notNull().unique(),
  severity: text('severity').notNull().default('notice'),
  group: uuid('group_id').references(() => groups.groupUuid, { onDelete: 'set null' }),
}, (t) => [index('authentik_events_notificationrule_group_idx').on(t.group)]);

// Named foreign keys: drizzle's generated names cut at PostgreSQL's 63 characters would be the same for both.
export const notificationRuleTransports = pgTable('authentik_events_notificationrule_transports', {
  ruleId: uuid('notificationrule_id').notNull(),
  transportId: uuid('notificationtransport_id').notNull(),
}, (t) => [
  primaryKey({ name: 'authentik_events_notificationrule_transports_pk', columns: [t.ruleId, t.transportId] }),
  foreignKey({ name: 'authentik_events_notificationrule_transports_rule_fk', columns: [t.ruleId], foreignColumns: [notificationRules.pbmUuid] }).onDelete('cascade'),
  foreignKey({ name: 'authentik_events_notificationrule_transports_transport_fk', columns: [t.transportId], foreignColumns: [notificationTransports.uuid] }).onDelete('cascade'),
  index('authentik_events_notificationrule_transports_transport_idx').on(t.transportId),
]);

/** A notification shown to one user (and possibly sent on through a transport). */
export const notifications = pgTable('authentik_events_notification', {
  uuid: uuid('uuid').primaryKey().defaultRandom(),
  severity: text('severity').notNull(),
  body: text('body').notNull(),
  created: timestamp('created', { withTimezone: true }).notNull().defaultNow(),
  event: uuid('event_id').references(() => events.eventUuid, { onDelete: 'set null' }),
  seen: boolean('seen').notNull().default(false),
  user: integer('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
}, (t) => [index('authentik_events_notification_user_idx').on(t.user, t.created), index('authentik_events_notification_event_idx').on(t.event)]);
