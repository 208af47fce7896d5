import { boolean, integer, pgTable, text, uuid, varchar } from 'drizzle-orm/pg-core';
import { stages } from '../../flows/table.js';

export const emailStages = pgTable('authentik_stages_email_emailstage', {
  stagePtrId: uuid('stage_ptr_id').primaryKey().references(() => stages.stageUuid, { onDelete: 'cascade' }),
  /** Send through the global `AUTHENTIK_EMAIL__*` settings; the connection columns below are then ignored. */
  useGlobalSettings: boolean('use_global_settings').notNull().default(false),
  host: text('host').notNull().default('localhost'),
  port: integer('port').notNull().default(25),
  username: text('username').notNull().default(''),
  /** Write-only in the API. */
  password: text('password').notNull().default(''),
  useTls: boolean('use_tls').notNull().default(false),
  useSsl: boolean('use_ssl').notNull().default(false),
  /** Seconds. */
  timeout: integer('timeout').notNull().default(10),
  fromAddress: varchar('from_address', { length: 254 }).notNull().default('system@authentik.local'),
  activateUserOnSuccess: boolean('activate_user_on_success').notNull().default(false),
  /** Minutes the link sent stays valid. */
  tokenExpiry: integer('token_expiry').notNull().default(30),
  subject: text('subject').notNull().default('authentik'),
  template: text('template').notNull().default('email/password_reset.html'),
});
