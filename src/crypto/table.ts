import { pgTable, uuid, text, timestamp } from 'drizzle-orm/pg-core';

export const certificateKeyPairs = pgTable('authentik_crypto_certificatekeypair', {
  kpUuid: uuid('kp_uuid').primaryKey().defaultRandom(),
  name: text('name').notNull().unique(),
  certificateData: text('certificate_data').notNull(),
  keyData: text('key_data').notNull().default(''),
  managed: text('managed').unique(),
  created: timestamp('created', { withTimezone: true }).notNull().defaultNow(),
  lastUpdated: timestamp('last_updated', { withTimezone: true }).notNull().defaultNow().$onUpdateFn(() => new Date()),
});
