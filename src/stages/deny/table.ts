import { pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { stages } from '../../flows/table.js';

export const denyStages = pgTable('authentik_stages_deny_denystage', {
  stagePtrId: uuid('stage_ptr_id').primaryKey().references(() => stages.stageUuid, { onDelete: 'cascade' }),
  denyMessage: text('deny_message').notNull().default(''),
});
