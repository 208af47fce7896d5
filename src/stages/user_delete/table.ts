import { pgTable, uuid } from 'drizzle-orm/pg-core';
import { stages } from '../../flows/table.js';

export const userDeleteStages = pgTable('authentik_stages_user_delete_userdeletestage', {
  stagePtrId: uuid('stage_ptr_id').primaryKey().references(() => stages.stageUuid, { onDelete: 'cascade' }),
});
