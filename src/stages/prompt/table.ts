import { boolean, foreignKey, integer, pgTable, primaryKey, text, uuid, varchar } from 'drizzle-orm/pg-core';
import { stages } from '../../flows/table.js';
import { policies } from '../../policies/table.js';

/** One field a prompt stage asks for; prompts are shared between stages. */
export const prompts = pgTable('authentik_stages_prompt_prompt', {
  promptUuid: uuid('prompt_uuid').primaryKey().defaultRandom(),
  name: text('name').notNull().unique(),
  /** Where the value goes in `prompt_data` (`attributes.foo` reaches the user's attributes through user_write). */
  fieldKey: text('field_key').notNull(),
  label: text('label').notNull(),
  type: varchar('type', { length: 100 }).notNull(),
  required: boolean('required').notNull().default(true),
  /** A hint, or for choice fields the choices; Python when `placeholder_expression`. */
  placeholder: text('placeholder').notNull().default(''),
  initialValue: text('initial_value').notNull().default(''),
  subText: text('sub_text').notNull().default(''),
  order: integer('order').notNull().default(0),
  placeholderExpression: boolean('placeholder_expression').notNull().default(false),
  initialValueExpression: boolean('initial_value_expression').notNull().default(false),
});

export const promptStages = pgTable('authentik_stages_prompt_promptstage', {
  stagePtrId: uuid('stage_ptr_id').primaryKey().references(() => stages.stageUuid, { onDelete: 'cascade' }),
});

// Explicit constraint names: the generated ones pass PostgreSQL's 63 characters.
export const promptStageFields = pgTable('authentik_stages_prompt_promptstage_fields', {
  promptStageId: uuid('promptstage_id').notNull(),
  promptId: uuid('prompt_id').notNull(),
}, (t) => [
  primaryKey({ name: 'authentik_stages_prompt_fields_pk', columns: [t.promptStageId, t.promptId] }),
  foreignKey({ name: 'authentik_stages_prompt_fields_stage_fk', columns: [t.promptStageId], foreignColumns: [promptStages.stagePtrId] }).onDelete('cascade'),
  foreignKey({ name: 'authentik_stages_prompt_fields_prompt_fk', columns: [t.promptId], foreignColumns: [prompts.promptUuid] }).onDelete('cascade'),
]);

export const promptStageValidationPolicies = pgTable('authentik_stages_prompt_promptstage_validation_policies', {
  promptStageId: uuid('promptstage_id').notNull(),
  policyId: uuid('policy_id').notNull(),
}, (t) => [
  primaryKey({ name: 'authentik_stages_prompt_policies_pk', columns: [t.promptStageId, t.policyId] }),
  foreignKey({ name: 'authentik_stages_prompt_policies_stage_fk', columns: [t.promptStageId], foreignColumns: [promptStages.stagePtrId] }).onDelete('cascade'),
  foreignKey({ name: 'authentik_stages_prompt_policies_policy_fk', columns: [t.policyId], foreignColumns: [policies.policyUuid] }).onDelete('cascade'),
]);
