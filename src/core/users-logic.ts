import { sql } from 'drizzle-orm';
import { executeRows, type Db } from '../db/database.js';

/** Ids of the groups a user is in, directly or through parents. */
export function allGroupIdsOf(userIdSql: unknown) {
  return sql`(with recursive member_of(id) as (
      select group_id from authentik_core_user_ak_groups where user_id = ${userIdSql}
      union
      select g.parent_id from authentik_core_group g join member_of m on g.group_uuid = m.id where g.parent_id is not null
    ) select id from member_of)`;
}

/**
 * Whether the user is a superuser, as a boolean SQL expression: superuser status comes from groups (and their
 * parents) marked `is_superuser`, as in authentik. `userIdSql` may be a column, for a select of users.
 */
export function isSuperuserSql(userIdSql: unknown) {
  return sql<boolean>`exists(select 1 from authentik_core_group where is_superuser and group_uuid in ${allGroupIdsOf(userIdSql)})`;
}

export async function isSuperuser(db: Db, userId: number): Promise<boolean> {
  const rows = await executeRows<{ value: boolean }>(db, sql`select ${isSuperuserSql(userId)} as "value"`);
  return Boolean(rows[0]?.value);
}
