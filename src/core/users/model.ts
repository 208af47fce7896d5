import { createHash } from 'node:crypto';
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { ModelDefinition } from '../../api/model.js';
import { timestampOut } from '../../api/model.js';
import type { ApiContext } from '../../api/context.js';
import { ErrorCollector } from '../../api/errors.js';
import { executeRows, type Db } from '../../db/database.js';
import { groups, userGroups, users } from '../table.js';
import { avatarFor } from './avatar.js';

export type UserRow = typeof users.$inferSelect;

export function userUid(installId: string, pk: number): string {
  return createHash('sha256').update(`${installId}-${pk}`).digest('hex');
}

/** Which of `ids` are superusers, through their groups and those groups' parents. */
export async function superuserIds(db: Db, ids: number[]): Promise<Set<number>> {
  if (!ids.length) return new Set();
  const rows = await executeRows<{ user_id: number }>(db, sql`with recursive member_of(user_id, group_id) as (
      select user_id, group_id from authentik_core_user_ak_groups where user_id in ${sql.raw(`(${ids.map(Number).join(',')})`)}
      union
      select m.user_id, g.parent_id from authentik_core_group g join member_of m on g.group_uuid = m.group_id where g.parent_id is not null
    ) select distinct m.user_id from member_of m join authentik_core_group g on g.group_uuid = m.group_id where g.is_superuser`);
  return new Set(rows.map((r) => Number(r.user_id)));
}

/** The groups each user is directly in, with the parent's name, for `groups_obj`. */
async function groupsOf(db: Db, ids: number[]) {
  const parents = sql`(select p.name from authentik_core_group p where p.group_uuid = ${groups.parentId})`;
  const rows = ids.length
    ? await db.select({ userId: userGroups.userId, group: groups, parentName: parents.mapWith(String) })
      .from(userGroups).innerJoin(groups, eq(groups.groupUuid, userGroups.groupId)).where(inArray(userGroups.userId, ids))
    : [];
  const byUser = new Map<number, typeof rows>();
  for (const row of rows) (byUser.get(row.userId) ?? byUser.set(row.userId, []).get(row.userId)!).push(row);
  return byUser;
}

export function validateUserPath(path: unknown, errors: ErrorCollector): void {
  if (typeof path !== 'string') return;
  if (path.startsWith('/') || path.endsWith('/')) errors.add('path', 'No leading or trailing slashes allowed.');
  if (path.split('/').some((segment) => segment === '')) errors.add('path', 'No empty segments in user path allowed.');
}

export async function serializeUsers(rows: UserRow[], ctx: ApiContext) {
  const ids = rows.map((r) => r.id);
  const [supers, memberships] = await Promise.all([superuserIds(ctx.services.db, ids), groupsOf(ctx.services.db, ids)]);
  return rows.map((user) => {
    const userGroupRows = memberships.get(user.id) ?? [];
    return {
      pk: user.id,
      username: user.username,
      name: user.name,
      is_active: user.isActive,
      last_login: timestampOut(user.lastLogin),
      is_superuser: supers.has(user.id),
      groups: userGroupRows.map((g) => g.group.groupUuid),
      groups_obj: userGroupRows.map(({ group, parentName }) => ({
        pk: group.groupUuid,
        num_pk: group.numPk,
        name: group.name,
        is_superuser: group.isSuperuser,
        parent: group.parentId,
        // UserGroup declares parent_name a required, non-nullable string (Group's is nullable): "" keeps typed clients whole.
        parent_name: group.parentId ? (parentName ?? '') : '',
        attributes: group.attributes,
      })),
      email: user.email,
      avatar: avatarFor(ctx.services.config.avatars, user),
      attributes: user.attributes,
      uid: userUid(ctx.services.installId, user.id),
      path: user.path,
      type: user.type,
      uuid: user.uuid,
    };
  });
}

/** Replaces a user's direct group memberships. */
export async function setUserGroups(tx: Db, userId: unknown, groupIds: unknown): Promise<void> {
  await tx.delete(userGroups).where(eq(userGroups.userId, Number(userId)));
  const ids = [...new Set(groupIds as string[])];
  if (ids.length) await tx.insert(userGroups).values(ids.map((groupId) => ({ userId: Number(userId), groupId })));
}

export const userModel: ModelDefinition<UserRow> = {
  name: 'authentik_core.user',
  verboseName: 'User',
  verboseNamePlural: 'Users',
  table: users,
  pk: users.id,
  fields: {
    username: { column: users.username },
    name: { column: users.name },
    is_active: { column: users.isActive },
    last_login: { column: users.lastLogin },
    email: { column: users.email },
    attributes: { column: users.attributes },
    path: { column: users.path },
    type: { column: users.type },
  },
  relations: { groups: setUserGroups },
  displayName: (row) => row.username,
  serialize: serializeUsers,
  validate(data) {
    const errors = new ErrorCollector();
    validateUserPath(data.path, errors);
    errors.throwIfAny();
  },
};

export function userIsIn(column: typeof users.id, groupCondition: ReturnType<typeof and>) {
  return inArray(column, sql`(select ${userGroups.userId} from ${userGroups} join ${groups} on ${groups.groupUuid} = ${userGroups.groupId} where ${groupCondition})`);
}
