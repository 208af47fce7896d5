import { pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { stages } from '../../flows/table.js';

export const consentStages = pgTable('authentik_stages_consent_consentstage', {
  stagePtrId: uuid('stage_ptr_id').primaryKey().references(() => stages.stageUuid, { onDelete: 'cascade' }),
  /** `always_require`, `permanent` or `expiring`. */
  mode: text('mode').notNull().default('expiring'),
  /** authentik's timedelta string (`hours=1;minutes=2`): how long an `expiring` consent lasts. */
  consentExpireIn: text('consent_expire_in').notNull().default('weeks=4'),
});
