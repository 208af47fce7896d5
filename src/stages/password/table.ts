import { integer, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';
import { flows, stages } from '../../flows/table.js';

export const passwordStages = pgTable('authentik_stages_password_passwordstage', {
  stagePtrId: uuid('stage_ptr_id').primaryKey().references(() => stages.stageUuid, { onDelete: 'cascade' }),
  /** Dotted paths of authentik's backends, tried in order. */
  backends: text('backends').array().notNull().default(sql`'{}'::text[]`),
  configureFlowId: uuid('configure_flow_id').references(() => flows.flowUuid, { onDelete: 'set null' }),
  failedAttemptsBeforeCancel: integer('failed_attempts_before_cancel').notNull().default(5),
});
