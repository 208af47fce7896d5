import { boolean, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { stages } from '../../flows/table.js';
import { groups } from '../../core/table.js';

export const userWriteStages = pgTable('authentik_stages_user_write_userwritestage', {
  stagePtrId: uuid('stage_ptr_id').primaryKey().references(() => stages.stageUuid, { onDelete: 'cascade' }),
  /** `never_create`, `create_when_required` or `always_create`. */
  userCreationMode: text('user_creation_mode').notNull().default('create_when_required'),
  createUsersAsInactive: boolean('create_users_as_inactive').notNull().default(false),
  createUsersGroupId: uuid('create_users_group_id').references(() => groups.groupUuid, { onDelete: 'set null' }),
  /** The path of created users; empty is the default path (`users`). */
  userPathTemplate: text('user_path_template').notNull().default(''),
  userType: text('user_type').notNull().default('external'),
});
