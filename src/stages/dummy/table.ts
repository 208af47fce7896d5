import { boolean, pgTable, uuid } from 'drizzle-orm/pg-core';
import { stages } from '../../flows/table.js';

export const dummyStages = pgTable('authentik_stages_dummy_dummystage', {
  stagePtrId: uuid('stage_ptr_id').primaryKey().references(() => stages.stageUuid, { onDelete: 'cascade' }),
  throwError: boolean('throw_error').notNull().default(false),
});
