import { bigint, boolean, foreignKey, integer, pgTable, serial, smallint, text, timestamp, uuid, varchar } from 'drizzle-orm/pg-core';
import { flows, stages } from '../../flows/table.js';
import { users } from '../../core/table.js';
import { throttlingColumns } from '../authenticator/throttling.js';

export const authenticatorTotpStages = pgTable('authentik_stages_authenticator_totp_authenticatortotpstage', {
  stagePtrId: uuid('stage_ptr_id').primaryKey(),
  configureFlowId: uuid('configure_flow_id'),
  friendlyName: text('friendly_name'),
  /** 6 or 8. */
  digits: integer('digits').notNull(),
}, (t) => [
  // Explicit constraint names: the generated ones pass PostgreSQL's 63 characters and would clash once cut.
  foreignKey({ name: 'authentik_stages_authenticator_totp_stage_ptr_fk', columns: [t.stagePtrId], foreignColumns: [stages.stageUuid] }).onDelete('cascade'),
  foreignKey({ name: 'authentik_stages_authenticator_totp_configure_flow_fk', columns: [t.configureFlowId], foreignColumns: [flows.flowUuid] }).onDelete('set null'),
]);

/** A user's TOTP device (django-otp's `TOTPDevice`, as authentik keeps it). */
export const totpDevices = pgTable('authentik_stages_authenticator_totp_totpdevice', {
  id: serial('id').primaryKey(),
  userId: integer('user_id').notNull(),
  name: varchar('name', { length: 64 }).notNull(),
  confirmed: boolean('confirmed').notNull().default(true),
  /** The shared secret, hex encoded (20 random bytes, as django-otp's default). */
  key: varchar('key', { length: 80 }).notNull(),
  /** Seconds per time step. */
  step: smallint('step').notNull().default(30),
  digits: smallint('digits').notNull().default(6),
  /** How many steps before or after now a code may be from. */
  tolerance: smallint('tolerance').notNull().default(1),
  /** The last time step a code was accepted for: codes of it and earlier steps are refused (no replay). */
  lastT: bigint('last_t', { mode: 'number' }).notNull().default(-1),
  lastUsed: timestamp('last_used', { withTimezone: true }),
  ...throttlingColumns(),
}, (t) => [
  foreignKey({ name: 'authentik_stages_authenticator_totp_device_user_fk', columns: [t.userId], foreignColumns: [users.id] }).onDelete('cascade'),
]);
