import { inArray, sql } from 'drizzle-orm';
import type { ModelContext } from '../../api/context.js';
import type { Json, ModelDefinition } from '../../api/model.js';
import { timestampOut } from '../../api/model.js';
import type { ViewSet } from '../../api/viewset.js';
import { ValidationError } from '../../api/errors.js';
import { flows } from '../../flows/table.js';
import { flowModel } from '../../flows/models.js';
import { users } from '../../core/table.js';
import { userUid } from '../../core/users/model.js';
import { exactFilter } from '../../policies/viewsets.js';
import { invitations } from './table.js';

export type InvitationRow = typeof invitations.$inferSelect;

/** authentik's ExpiringModel default: valid for 30 minutes. */
const DEFAULT_VALIDITY_MS = 30 * 60_000;

/**
 * Who an invitation names as its creator (authentik's `GroupMemberSerializer`). Blueprint-made invitations
 * have none, and show authentik's anonymous user as authentik does.
 */
async function creators(ctx: ModelContext, rows: InvitationRow[]): Promise<Map<number, Json>> {
  const ids = [...new Set(rows.map((r) => r.createdById).filter((id): id is number => id !== null))];
  const found = ids.length ? await ctx.services.db.select().from(users).where(inArray(users.id, ids)) : [];
  return new Map(found.map((u) => [u.id, {
    pk: u.id, username: u.username, name: u.name, is_active: u.isActive, last_login: timestampOut(u.lastLogin),
    email: u.email, attributes: u.attributes, uid: userUid(ctx.services.installId, u.id),
  }]));
}

function anonymousCreator(ctx: ModelContext): Json {
  return { pk: 0, username: 'AnonymousUser', name: '', is_active: true, last_login: null, email: '', attributes: {}, uid: userUid(ctx.services.installId, 0) };
}

async function flowObjects(ctx: ModelContext, rows: InvitationRow[]): Promise<Map<string, Json>> {
  const ids = [...new Set(rows.map((r) => r.flowId).filter((id): id is string => id !== null))];
  if (!ids.length) return new Map();
  const found = await ctx.services.db.select().from(flows).where(inArray(flows.flowUuid, ids));
  const rendered = await flowModel.serialize(found, ctx);
  return new Map(rendered.map((f) => [String(f.pk), f]));
}

export const invitationModel: ModelDefinition<InvitationRow> = {
  name: 'authentik_stages_invitation.invitation',
  verboseName: 'Invitation',
  verboseNamePlural: 'Invitations',
  table: invitations,
  pk: invitations.inviteUuid,
  requestSchema: 'InvitationRequest',
  fields: {
    name: { column: invitations.name },
    expires: { column: invitations.expires },
    fixed_data: { column: invitations.fixedData },
    single_use: { column: invitations.singleUse },
    flow: { column: invitations.flowId },
  },
  displayName: (row) => `Invitation ${row.inviteUuid}`,
  async serialize(rows, ctx) {
    const [people, flowObjs] = await Promise.all([creators(ctx, rows), flowObjects(ctx, rows)]);
    return rows.map((row) => ({
      pk: row.inviteUuid,
      name: row.name,
      expires: timestampOut(row.expires),
      fixed_data: row.fixedData,
      created_by: (row.createdById !== null ? people.get(row.createdById) : undefined) ?? anonymousCreator(ctx),
      single_use: row.singleUse,
      flow: row.flowId,
      flow_obj: row.flowId ? flowObjs.get(row.flowId) ?? null : null,
    }));
  },
  validate(data) {
    if (typeof data.expires === 'string' && Number.isNaN(new Date(data.expires).getTime())) {
      throw ValidationError.field('expires', 'Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].');
    }
  },
  defaults(_data, ctx) {
    // The API's caller made it (authentik's `perform_create`); work without a caller (blueprints) names nobody.
    return { createdById: ctx.principal.id > 0 ? ctx.principal.id : null, expires: new Date(Date.now() + DEFAULT_VALIDITY_MS) };
  },
};

const creatorName = sql`(select ${users.username} from ${users} where ${users.id} = ${invitations.createdById})`;
const flowSlug = sql`(select ${flows.slug} from ${flows} where ${flows.flowUuid} = ${invitations.flowId})`;

export const invitationViewSet: ViewSet<InvitationRow> = {
  model: invitationModel,
  path: '/stages/invitation/invitations/',
  lookupParam: 'invite_uuid',
  lookupColumn: invitations.inviteUuid,
  lookupType: 'uuid',
  filters: {
    name: exactFilter(invitations.name, 'name'),
    expires: exactFilter(invitations.expires, 'expires'),
    created_by__username: (value) => sql`${creatorName} = ${value}`,
    flow__slug: (value) => sql`${flowSlug} = ${value}`,
  },
  search: [invitations.name, creatorName, sql`${invitations.expires}::text`, flowSlug],
  ordering: { name: invitations.name, expires: invitations.expires, single_use: invitations.singleUse },
  defaultOrdering: ['-expires'],
};
