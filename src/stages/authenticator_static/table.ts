import { boolean, foreignKey, index, integer, pgTable, serial, text, timestamp, uuid, varchar } from 'drizzle-orm/pg-core';
import { flows, stages } from '../../flows/table.js';
import { users } from '../../core/table.js';
import { throttlingColumns } from '../authenticator/throttling.js';

export const authenticatorStaticStages = pgTable('authentik_stages_authenticator_static_authenticatorstaticstage', {
  stagePtrId: uuid('stage_ptr_id').primaryKey(),
  configureFlowId: uuid('configure_flow_id'),
  friendlyName: text('friendly_name'),
  tokenCount: integer('token_count').notNull().default(6),
  tokenLength: integer('token_length').notNull().default(12),
}, (t) => [
  // Explicit constraint names: the generated ones pass PostgreSQL's 63 characters and would clash once cut.
  foreignKey({ name: 'authentik_stages_authenticator_static_stage_ptr_fk', columns: [t.stagePtrId], foreignColumns: [stages.stageUuid] }).onDelete('cascade'),
  foreignKey({ name: 'authentik_stages_authenticator_static_configure_flow_fk', columns: [t.configureFlowId], foreignColumns: [flows.flowUuid] }).onDelete('set null'),
]);

/** A user's set of recovery codes (django-otp's `StaticDevice`, as authentik keeps it). */
export const staticDevices = pgTable('authentik_stages_authenticator_static_staticdevice', {
  id: serial('id').primaryKey(),
  userId: integer('user_id').notNull(),
  name: varchar('name', { length: 64 }).notNull(),
  confirmed: boolean('confirmed').notNull().default(true),
  lastUsed: timestamp('last_used', { withTimezone: true }),
  ...throttlingColumns(),
}, (t) => [
  foreignKey({ name: 'authentik_stages_authenticator_static_device_user_fk', columns: [t.userId], foreignColumns: [users.id] }).onDelete('cascade'),
]);

/** One single-use code of a static device: deleted when used. */
export const staticTokens = pgTable('authentik_stages_authenticator_static_statictoken', {
  id: serial('id').primaryKey(),
  deviceId: integer('device_id').notNull(),
  token: varchar('token', { length: 16 }).notNull(),
}, (t) => [
  index('authentik_stages_authenticator_static_token_idx').on(t.token),
  foreignKey({ name: 'authentik_stages_authenticator_static_token_device_fk', columns: [t.deviceId], foreignColumns: [staticDevices.id] }).onDelete('cascade'),
]);
