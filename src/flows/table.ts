import { boolean, index, integer, pgTable, text, unique, uuid, varchar } from 'drizzle-orm/pg-core';
import { tokens } from '../core/table.js';

/**
 * authentik's flows. A flow is a policy binding target: policies bind to its `pbm_uuid` (its
 * `policybindingmodel_ptr_id`), while everything else (tenants, providers, stages) refers to its `flow_uuid`.
 */
export const flows = pgTable('authentik_flows_flow', {
  flowUuid: uuid('flow_uuid').primaryKey().defaultRandom(),
  pbmUuid: uuid('pbm_uuid').notNull().unique().defaultRandom(),
  name: text('name').notNull(),
  slug: varchar('slug', { length: 50 }).notNull().unique(),
  title: text('title').notNull(),
  designation: text('designation').notNull(),
  /** A media name, a `/static/…` path or an `http(s)` URL; empty is the default background. */
  background: text('background').notNull().default(''),
  policyEngineMode: text('policy_engine_mode').notNull().default('any'),
  compatibilityMode: boolean('compatibility_mode').notNull().default(false),
  layout: text('layout').notNull().default('stacked'),
  deniedAction: text('denied_action').notNull().default('message_continue'),
  authentication: text('authentication').notNull().default('none'),
}, (t) => [index('authentik_flows_flow_designation_idx').on(t.designation)]);

/** Base table of every stage type; each type's table shares its `stage_uuid` (`stage_ptr_id`). */
export const stages = pgTable('authentik_flows_stage', {
  stageUuid: uuid('stage_uuid').primaryKey().defaultRandom(),
  name: text('name').notNull().unique(),
  /** authentik model name of the subtype, e.g. `authentik_stages_password.passwordstage`. */
  model: text('model').notNull(),
});

/** A stage bound to a flow at an order; also a policy binding target through its `pbm_uuid`. */
export const flowStageBindings = pgTable('authentik_flows_flowstagebinding', {
  fsbUuid: uuid('fsb_uuid').primaryKey().defaultRandom(),
  pbmUuid: uuid('pbm_uuid').notNull().unique().defaultRandom(),
  targetId: uuid('target_id').notNull().references(() => flows.flowUuid, { onDelete: 'cascade' }),
  stageId: uuid('stage_id').notNull().references(() => stages.stageUuid, { onDelete: 'cascade' }),
  evaluateOnPlan: boolean('evaluate_on_plan').notNull().default(false),
  reEvaluatePolicies: boolean('re_evaluate_policies').notNull().default(true),
  order: integer('order').notNull(),
  policyEngineMode: text('policy_engine_mode').notNull().default('any'),
  invalidResponseAction: text('invalid_response_action').notNull().default('retry'),
}, (t) => [
  unique('authentik_flows_flowstagebinding_target_stage_order').on(t.targetId, t.stageId, t.order),
  index('authentik_flows_flowstagebinding_target_idx').on(t.targetId, t.order),
  index('authentik_flows_flowstagebinding_stage_idx').on(t.stageId),
]);

/**
 * authentik's `FlowToken`: a token (its `token_ptr_id`) that keeps a flow plan, so that a link (an email
 * stage's) resumes the flow where it was, in whatever browser opens it. `_plan` holds the plan as JSON.
 */
export const flowTokens = pgTable('authentik_flows_flowtoken', {
  tokenPtrId: uuid('token_ptr_id').primaryKey().references(() => tokens.tokenUuid, { onDelete: 'cascade' }),
  flowId: uuid('flow_id').notNull().references(() => flows.flowUuid, { onDelete: 'cascade' }),
  plan: text('_plan').notNull(),
  revokeOnExecution: boolean('revoke_on_execution').notNull().default(true),
}, (t) => [index('authentik_flows_flowtoken_flow_idx').on(t.flowId)]);
