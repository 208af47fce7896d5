import { eq, inArray, sql } from 'drizzle-orm';
import type { ModelDefinition } from '../../api/model.js';
import { timestampOut } from '../../api/model.js';
import type { ApiContext } from '../../api/context.js';
import { ValidationError } from '../../api/errors.js';
import { executeRows, type Db } from '../../db/database.js';
import { groupRoles, groups, roles, userGroups, users } from '../table.js';
import { userUid } from '../users/model.js';

export type GroupRow = typeof groups.$inferSelect;

async function membersOf(db: Db, ids: string[]) {
  const rows = ids.length
    ? await db.select({ groupId: userGroups.groupId, user: users }).from(userGroups)
      .innerJoin(users, eq(users.id, userGroups.userId)).where(inArray(userGroups.groupId, ids)).orderBy(users.username)
    : [];
  const byGroup = new Map<string, (typeof rows)[number]['user'][]>();
  for (const row of rows) (byGroup.get(row.groupId) ?? byGroup.set(row.groupId, []).get(row.groupId)!).push(row.user);
  return byGroup;
}

async function rolesOf(db: Db, ids: string[]) {
  const rows = ids.length
    ? await db.select({ groupId: groupRoles.groupId, role: roles }).from(groupRoles)
      .innerJoin(roles, eq(roles.uuid, groupRoles.roleId)).where(inArray(groupRoles.groupId, ids))
    : [];
  const byGroup = new Map<string, { pk: string; name: string }[]>();
  for (const { groupId, role } of rows) (byGroup.get(groupId) ?? byGroup.set(groupId, []).get(groupId)!).push({ pk: role.uuid, name: role.name });
  return byGroup;
}

async function serializeGroups(rows: GroupRow[], ctx: ApiContext) {
  const db = ctx.services.db;
  const ids = rows.map((r) => r.groupUuid);
  const parentIds = [...new Set(rows.map((r) => r.parentId).filter((id): id is string => Boolean(id)))];
  const [members, groupRolesById, parents] = await Promise.all([
    membersOf(db, ids),
    rolesOf(db, ids),
    parentIds.length ? db.select({ id: groups.groupUuid, name: groups.name }).from(groups).where(inArray(groups.groupUuid, parentIds)) : [],
  ]);
  const parentNames = new Map(parents.map((p) => [p.id, p.name]));
  return rows.map((group) => {
    const groupMembers = members.get(group.groupUuid) ?? [];
    const groupRoleList = groupRolesById.get(group.groupUuid) ?? [];
    return {
      pk: group.groupUuid,
      num_pk: group.numPk,
      name: group.name,
      is_superuser: group.isSuperuser,
      parent: group.parentId,
      parent_name: group.parentId ? (parentNames.get(group.parentId) ?? null) : null,
      users: groupMembers.map((u) => u.id),
      users_obj: groupMembers.map((u) => ({
        pk: u.id, username: u.username, name: u.name, is_active: u.isActive, last_login: timestampOut(u.lastLogin),
        email: u.email, attributes: u.attributes, uid: userUid(ctx.services.installId, u.id),
      })),
      attributes: group.attributes,
      roles: groupRoleList.map((r) => r.pk),
      roles_obj: groupRoleList,
    };
  });
}

/** Refuses a parent that is the group itself or one of its descendants: a cycle would make membership endless. */
async function checkParent(db: Db, groupId: string | undefined, parentId: unknown): Promise<void> {
  if (!groupId || typeof parentId !== 'string') return;
  const rows = await executeRows<{ id: string }>(db, sql`with recursive ancestors(id) as (
      select ${parentId}::uuid union select g.parent_id from authentik_core_group g join ancestors a on g.group_uuid = a.id where g.parent_id is not null
    ) select id from ancestors where id = ${groupId}::uuid`);
  if (rows.length) throw ValidationError.field('parent', 'Setting this parent would create a cycle of groups.');
}

export const groupModel: ModelDefinition<GroupRow> = {
  name: 'authentik_core.group',
  verboseName: 'Group',
  verboseNamePlural: 'Groups',
  table: groups,
  pk: groups.groupUuid,
  fields: {
    name: { column: groups.name },
    is_superuser: { column: groups.isSuperuser },
    parent: { column: groups.parentId },
    attributes: { column: groups.attributes },
  },
  relations: {
    async users(tx, groupId, value) {
      await tx.delete(userGroups).where(eq(userGroups.groupId, String(groupId)));
      const ids = [...new Set(value as number[])];
      if (ids.length) await tx.insert(userGroups).values(ids.map((userId) => ({ userId, groupId: String(groupId) })));
    },
    async roles(tx, groupId, value) {
      await tx.delete(groupRoles).where(eq(groupRoles.groupId, String(groupId)));
      const ids = [...new Set(value as string[])];
      if (ids.length) await tx.insert(groupRoles).values(ids.map((roleId) => ({ roleId, groupId: String(groupId) })));
    },
  },
  uniqueFields: { authentik_core_group_name_parent: 'name' },
  displayName: (row) => row.name,
  serialize: serializeGroups,
  validate: (data, ctx, existing) => checkParent(ctx.services.db, existing?.groupUuid, data.parent),
};
