import { pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { stages } from '../../flows/table.js';

export const captchaStages = pgTable('authentik_stages_captcha_captchastage', {
  stagePtrId: uuid('stage_ptr_id').primaryKey().references(() => stages.stageUuid, { onDelete: 'cascade' }),
  /** The site key the browser widget is loaded with. */
  publicKey: text('public_key').notNull(),
  /** The secret the verify endpoint is called with: write-only in the API. */
  privateKey: text('private_key').notNull(),
  jsUrl: text('js_url').notNull().default('https://www.google.com/recaptcha/api.js'),
  apiUrl: text('api_url').notNull().default('https://www.google.com/recaptcha/api/siteverify'),
});
