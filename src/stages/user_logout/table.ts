import { pgTable, uuid } from 'drizzle-orm/pg-core';
import { stages } from '../../flows/table.js';

export const userLogoutStages = pgTable('authentik_stages_user_logout_userlogoutstage', {
  stagePtrId: uuid('stage_ptr_id').primaryKey().references(() => stages.stageUuid, { onDelete: 'cascade' }),
});
