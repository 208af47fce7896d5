import { and, eq, inArray, sql } from 'drizzle-orm';
import type { ViewSet } from '../../api/viewset.js';
import { filters } from '../../api/filters.js';
import { ValidationError } from '../../api/errors.js';
import type { ApiContext } from '../../api/context.js';
import { groups, userGroups, users } from '../table.js';
import { groupModel, type GroupRow } from './model.js';

function membersWhere(condition: ReturnType<typeof and>) {
  return inArray(groups.groupUuid, sql`(select ${userGroups.groupId} from ${userGroups} join ${users} on ${users.id} = ${userGroups.userId} where ${condition})`);
}

async function userExists(ctx: ApiContext, pk: number) {
  const [user] = await ctx.services.db.select({ id: users.id }).from(users).where(eq(users.id, pk));
  if (!user) throw ValidationError.field('pk', `Invalid pk "${pk}" - object does not exist.`);
}

export const groupViewSet: ViewSet<GroupRow> = {
  model: groupModel,
  path: '/core/groups/',
  lookupParam: 'group_uuid',
  lookupColumn: groups.groupUuid,
  lookupType: 'uuid',
  requestSchema: 'GroupRequest',
  filters: {
    attributes: filters.jsonContains(groups.attributes),
    is_superuser: filters.boolean(groups.isSuperuser),
    members_by_pk: (_v, _c, all) => membersWhere(and(inArray(users.id, all.map(Number).filter(Number.isInteger)))),
    members_by_username: (_v, _c, all) => membersWhere(and(inArray(users.username, all))),
    name: filters.exact(groups.name),
  },
  search: [groups.name],
  ordering: { name: groups.name, is_superuser: groups.isSuperuser, num_pk: groups.numPk },
  defaultOrdering: ['name'],
  actions: [
    {
      method: 'POST', path: 'add_user', detail: true, access: 'superuser', requestSchema: 'UserAccountRequest',
      async handler(ctx, group, body) {
        const userId = Number(body.pk);
        await userExists(ctx, userId);
        await ctx.services.db.insert(userGroups).values({ userId, groupId: group!.groupUuid }).onConflictDoNothing();
        return { status: 204 };
      },
    },
    {
      method: 'POST', path: 'remove_user', detail: true, access: 'superuser', requestSchema: 'UserAccountRequest',
      async handler(ctx, group, body) {
        const userId = Number(body.pk);
        await userExists(ctx, userId);
        await ctx.services.db.delete(userGroups).where(and(eq(userGroups.userId, userId), eq(userGroups.groupId, group!.groupUuid)));
        return { status: 204 };
      },
    },
  ],
};
