import { boolean, foreignKey, pgTable, primaryKey, text, uuid } from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';
import { flows, stages } from '../../flows/table.js';

export const identificationStages = pgTable('authentik_stages_identification_identificationstage', {
  stagePtrId: uuid('stage_ptr_id').primaryKey().references(() => stages.stageUuid, { onDelete: 'cascade' }),
  /** Which user fields an identifier is matched against: `email`, `username`, `upn`. */
  userFields: text('user_fields').array().notNull().default(sql`'{}'::text[]`),
  passwordStageId: uuid('password_stage_id').references(() => stages.stageUuid, { onDelete: 'set null' }),
  caseInsensitiveMatching: boolean('case_insensitive_matching').notNull().default(true),
  showMatchedUser: boolean('show_matched_user').notNull().default(true),
  enrollmentFlowId: uuid('enrollment_flow_id').references(() => flows.flowUuid, { onDelete: 'set null' }),
  recoveryFlowId: uuid('recovery_flow_id').references(() => flows.flowUuid, { onDelete: 'set null' }),
  passwordlessFlowId: uuid('passwordless_flow_id').references(() => flows.flowUuid, { onDelete: 'set null' }),
  showSourceLabels: boolean('show_source_labels').notNull().default(false),
  pretendUserExists: boolean('pretend_user_exists').notNull().default(true),
});

/**
 * The sources an identification stage offers. Sources have no table yet, so `source_id` has no foreign key;
 * the sources domain adds it when it lands.
 */
export const identificationStageSources = pgTable('authentik_stages_identification_identificationstage_sources', {
  identificationStageId: uuid('identificationstage_id').notNull(),
  sourceId: uuid('source_id').notNull(),
}, (t) => [
  // Explicit names: the generated ones pass PostgreSQL's 63 characters and would collide once cut.
  primaryKey({ name: 'authentik_stages_identification_sources_pk', columns: [t.identificationStageId, t.sourceId] }),
  foreignKey({ name: 'authentik_stages_identification_sources_stage_fk', columns: [t.identificationStageId], foreignColumns: [identificationStages.stagePtrId] })
    .onDelete('cascade'),
]);
