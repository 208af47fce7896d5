import { sql } from 'drizzle-orm';
import { index, integer, jsonb, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * What background tasks last reported (authentik's `TaskInfo`), shown under /admin/system_tasks/. One row per
 * task name and uid (a task run per source or outpost has a uid); a new result replaces the last. authentik
 * keeps these in its cache with a timeout; `expires` plays that part.
 */
export const systemTasks = pgTable('authentik_system_task', {
  name: text('name').notNull(),
  uid: text('uid').notNull().default(''),
  description: text('description').notNull().default(''),
  startTimestamp: timestamp('start_timestamp', { withTimezone: true }).notNull().defaultNow(),
  finishTimestamp: timestamp('finish_timestamp', { withTimezone: true }).notNull().defaultNow(),
  duration: integer('duration_ms').notNull().default(0),
  /** authentik's `TaskResultStatus` names: SUCCESSFUL, WARNING, ERROR, UNKNOWN. */
  status: text('status').notNull().default('UNKNOWN'),
  messages: jsonb('messages').$type<string[]>().notNull().default(sql`'[]'::jsonb`),
  /** The arguments of the run, so that a retry repeats it (authentik's `task_call_args`). */
  callArgs: jsonb('call_args').$type<unknown[]>().notNull().default(sql`'[]'::jsonb`),
  expires: timestamp('expires', { withTimezone: true }).notNull(),
}, (t) => [
  primaryKey({ columns: [t.name, t.uid] }),
  index('authentik_system_task_expires_idx').on(t.expires),
]);
