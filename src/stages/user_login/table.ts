import { boolean, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { stages } from '../../flows/table.js';

export const userLoginStages = pgTable('authentik_stages_user_login_userloginstage', {
  stagePtrId: uuid('stage_ptr_id').primaryKey().references(() => stages.stageUuid, { onDelete: 'cascade' }),
  /** authentik's timedelta string (`hours=8`); zero ends the session with the browser. */
  sessionDuration: text('session_duration').notNull().default('seconds=0'),
  terminateOtherSessions: boolean('terminate_other_sessions').notNull().default(false),
  /** Added to `session_duration` when the user ticks "remember me"; zero hides the choice. */
  rememberMeOffset: text('remember_me_offset').notNull().default('seconds=0'),
});
