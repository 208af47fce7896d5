import { sql } from 'drizzle-orm';
import { boolean, index, integer, jsonb, pgTable, timestamp, uuid, varchar } from 'drizzle-orm/pg-core';
import { flows, stages } from '../../flows/table.js';
import { users } from '../../core/table.js';

export const invitationStages = pgTable('authentik_stages_invitation_invitationstage', {
  stagePtrId: uuid('stage_ptr_id').primaryKey().references(() => stages.stageUuid, { onDelete: 'cascade' }),
  continueFlowWithoutInvitation: boolean('continue_flow_without_invitation').notNull().default(false),
});

/** An invitation link's token (`?itoken=<invite_uuid>`) and the data it fixes for the enrolling user. */
export const invitations = pgTable('authentik_stages_invitation_invitation', {
  inviteUuid: uuid('invite_uuid').primaryKey().defaultRandom(),
  name: varchar('name', { length: 50 }).notNull(),
  /** Only this flow may use the invitation, when set. */
  flowId: uuid('flow_id').references(() => flows.flowUuid, { onDelete: 'set null' }),
  singleUse: boolean('single_use').notNull().default(false),
  /**
   * Who created it; null for invitations a blueprint made (authentik names its anonymous user there), so
   * that no real user is claimed as their author.
   */
  createdById: integer('created_by_id').references(() => users.id, { onDelete: 'cascade' }),
  fixedData: jsonb('fixed_data').$type<Record<string, unknown>>().notNull().default(sql`'{}'::jsonb`),
  /** authentik's ExpiringModel: 30 minutes unless given; expired invitations are deleted when looked up. */
  expires: timestamp('expires', { withTimezone: true }).notNull().default(sql`now() + interval '30 minutes'`),
  expiring: boolean('expiring').notNull().default(true),
}, (t) => [index('authentik_stages_invitation_expires_idx').on(t.expires), index('authentik_stages_invitation_expiring_idx').on(t.expiring)]);
