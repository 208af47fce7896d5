import { foreignKey, pgTable, serial, text, uuid } from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';
import { stages } from '../../flows/table.js';

// authentik's table name (66 characters) would be cut at PostgreSQL's 63.
export const authenticatorValidateStages = pgTable('authentik_stages_authenticator_validate_validatestage', {
  stagePtrId: uuid('stage_ptr_id').primaryKey(),
  /** `skip`, `deny` or `configure`: what happens to a user without a device of the allowed classes. */
  notConfiguredAction: text('not_configured_action').notNull().default('skip'),
  deviceClasses: text('device_classes').array().notNull().default(sql`'{static,totp,webauthn,duo,sms}'::text[]`),
  /** authentik's timedelta string: a device used this recently lets the user pass without a code. */
  lastAuthThreshold: text('last_auth_threshold').notNull().default('seconds=0'),
  webauthnUserVerification: text('webauthn_user_verification').notNull().default('preferred'),
}, (t) => [
  // Explicit constraint names: the generated ones pass PostgreSQL's 63 characters.
  foreignKey({ name: 'authentik_stages_authenticator_validate_stage_ptr_fk', columns: [t.stagePtrId], foreignColumns: [stages.stageUuid] }).onDelete('cascade'),
]);

// `id` keeps the order stages were linked in.
export const validateConfigurationStages = pgTable('authentik_stages_authenticator_validate_configuration_stages', {
  id: serial('id').primaryKey(),
  validateStageId: uuid('authenticatorvalidatestage_id').notNull(),
  stageId: uuid('stage_id').notNull(),
}, (t) => [
  foreignKey({ name: 'authentik_stages_authenticator_validate_cs_validate_fk', columns: [t.validateStageId], foreignColumns: [authenticatorValidateStages.stagePtrId] }).onDelete('cascade'),
  foreignKey({ name: 'authentik_stages_authenticator_validate_cs_stage_fk', columns: [t.stageId], foreignColumns: [stages.stageUuid] }).onDelete('cascade'),
]);
