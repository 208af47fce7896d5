import { randomBytes } from 'node:crypto';
import { and, eq, ilike, inArray, sql } from 'drizzle-orm';
import type { ViewSet } from '../../api/viewset.js';
import { filters } from '../../api/filters.js';
import { NotFound, ValidationError, ApiError } from '../../api/errors.js';
import type { ApiContext } from '../../api/context.js';
import { groups, tenants, tokens, userGroups, users } from '../table.js';
import { hashPassword } from '../passwords.js';
import { createSessionStore } from '../sessions.js';
import { superuserIds, userModel, userUid, userIsIn, type UserRow } from './model.js';
import { avatarFor } from './avatar.js';
import { allGroupIdsOf } from '../users-logic.js';

export const SERVICE_ACCOUNT_PATH = 'goauthentik.io/service-accounts';

/** A token key as authentik makes them: long, random, URL-safe. */
export function generateKey(length = 128): string {
  return randomBytes(Math.ceil((length * 3) / 4)).toString('base64url').slice(0, length);
}

async function me(ctx: ApiContext) {
  const db = ctx.services.db;
  const describe = async (userId: number) => {
    const [user] = await db.select().from(users).where(eq(users.id, userId));
    if (!user) throw new NotFound();
    const memberships = await db.select({ name: groups.name, pk: groups.groupUuid }).from(userGroups)
      .innerJoin(groups, eq(groups.groupUuid, userGroups.groupId)).where(eq(userGroups.userId, userId));
    const [tenant] = await db.select({ attributes: tenants.attributes }).from(tenants).where(eq(tenants.default, true)).limit(1);
    const tenantSettings = (tenant?.attributes.settings ?? {}) as Record<string, unknown>;
    const userSettings = (user.attributes.settings ?? {}) as Record<string, unknown>;
    return {
      pk: user.id,
      username: user.username,
      name: user.name,
      is_active: user.isActive,
      is_superuser: (await superuserIds(db, [user.id])).has(user.id),
      groups: memberships.map((g) => ({ name: g.name, pk: g.pk })),
      email: user.email,
      avatar: avatarFor(ctx.services.config.avatars, user),
      uid: userUid(ctx.services.installId, user.id),
      settings: { ...tenantSettings, ...userSettings },
      type: user.type,
      system_permissions: [],
    };
  };
  const body: Record<string, unknown> = { user: await describe(ctx.principal.id) };
  if (ctx.principal.impersonatorId) body.original = await describe(ctx.principal.impersonatorId);
  return body;
}

async function impersonate(ctx: ApiContext, target: UserRow) {
  // authentik answers 401 whenever impersonation is not allowed, so a client need not tell the reasons apart.
  const refuse = () => new ApiError(401, { detail: 'Impersonation not allowed.' });
  if (!ctx.services.config.impersonation || !ctx.principal.isSuperuser) throw refuse();
  if (ctx.principal.via !== 'session' || !ctx.principal.sessionKey || target.id === ctx.principal.id) throw refuse();
  const store = createSessionStore(ctx.services.db);
  const session = await store.load(ctx.principal.sessionKey);
  if (!session) throw refuse();
  session.data.impersonator_id = ctx.principal.impersonatorId ?? ctx.principal.id;
  session.data.user_id = target.id;
  await store.save(session);
  return { status: 204 };
}

async function impersonateEnd(ctx: ApiContext) {
  if (!ctx.principal.sessionKey || !ctx.principal.impersonatorId) return { status: 204 };
  const store = createSessionStore(ctx.services.db);
  const session = await store.load(ctx.principal.sessionKey);
  if (session) {
    session.data.user_id = ctx.principal.impersonatorId;
    delete session.data.impersonator_id;
    await store.save(session);
  }
  return { status: 204 };
}

async function createServiceAccount(ctx: ApiContext, body: Record<string, unknown>) {
  const username = String(body.name);
  const expiring = body.expiring !== false;
  const expires = body.expires ? new Date(String(body.expires)) : new Date(Date.now() + 360 * 24 * 3600 * 1000);
  try {
    return await ctx.services.db.transaction(async (tx) => {
      const [user] = await tx.insert(users).values({ username, name: username, type: 'service_account', path: SERVICE_ACCOUNT_PATH, password: '' }).returning();
      let groupPk: string | undefined;
      if (body.create_group === true) {
        const [group] = await tx.insert(groups).values({ name: username }).returning();
        await tx.insert(userGroups).values({ userId: user.id, groupId: group.groupUuid });
        groupPk = group.groupUuid;
      }
      const key = generateKey();
      await tx.insert(tokens).values({
        identifier: `service-account-${username}-password`.replace(/[^-a-zA-Z0-9_]/g, '-'),
        key, intent: 'app_password', userId: user.id, expiring, expires, description: `App password for ${username}`,
      });
      return { username, token: key, user_uid: userUid(ctx.services.installId, user.id), user_pk: user.id, ...(groupPk ? { group_pk: groupPk } : {}) };
    });
  } catch (err) {
    if ((err as { cause?: { code?: string } }).cause?.code === '23505' || (err as { code?: string }).code === '23505') {
      throw ValidationError.field('name', 'A user, group or token with this name already exists.');
    }
    throw err;
  }
}

export const userViewSet: ViewSet<UserRow> = {
  model: userModel,
  path: '/core/users/',
  lookupParam: 'id',
  lookupColumn: users.id,
  lookupType: 'integer',
  requestSchema: 'UserRequest',
  // Without RBAC (a later part) a user sees only themselves; changing users stays with superusers.
  scope: (ctx) => eq(users.id, ctx.principal.id),
  access: { create: 'superuser', update: 'superuser', destroy: 'superuser', used_by: 'superuser' },
  filters: {
    attributes: filters.jsonContains(users.attributes),
    email: filters.exact(users.email),
    groups_by_name: (_v, _c, all) => userIsIn(users.id, and(inArray(groups.name, all))),
    groups_by_pk: (_v, _c, all) => userIsIn(users.id, and(inArray(groups.groupUuid, all))),
    is_active: filters.boolean(users.isActive),
    is_superuser: (value) => {
      const wanted = value === 'true' || value === '1';
      const condition = sql`exists (select 1 from authentik_core_group g where g.is_superuser and g.group_uuid in ${allGroupIdsOf(users.id)})`;
      return wanted ? condition : sql`not ${condition}`;
    },
    name: filters.exact(users.name),
    path: filters.exact(users.path),
    path_startswith: filters.startsWith(users.path),
    type: filters.anyOf(users.type),
    username: filters.exact(users.username),
    uuid: filters.uuid(users.uuid),
  },
  search: [users.username, users.name, users.email, users.path],
  ordering: { pk: users.id, username: users.username, name: users.name, email: users.email, is_active: users.isActive, last_login: users.lastLogin, path: users.path, type: users.type, date_joined: users.dateJoined },
  defaultOrdering: ['username'],
  async beforeDestroy(_tx, row, ctx) {
    if (row.id === ctx.principal.id) throw ValidationError.nonField('Cannot delete the user you are logged in as.');
  },
  actions: [
    { method: 'GET', path: 'me', detail: false, access: 'authenticated', handler: (ctx) => me(ctx) },
    {
      method: 'GET', path: 'paths', detail: false, access: 'superuser',
      async handler(ctx) {
        const search = (ctx.request.query as Record<string, string>).search;
        const rows = await ctx.services.db.selectDistinct({ path: users.path }).from(users)
          .where(search ? ilike(users.path, `%${search.replace(/[\\%_]/g, '\\$&')}%`) : undefined).orderBy(users.path);
        return { paths: rows.map((r) => r.path) };
      },
    },
    {
      method: 'POST', path: 'service_account', detail: false, access: 'superuser', requestSchema: 'UserServiceAccountRequest',
      handler: (ctx, _row, body) => createServiceAccount(ctx, body),
    },
    { method: 'GET', path: 'impersonate_end', detail: false, access: 'authenticated', handler: (ctx) => impersonateEnd(ctx) },
    { method: 'POST', path: 'impersonate', detail: true, access: 'superuser', handler: (ctx, row) => impersonate(ctx, row!) },
    {
      method: 'POST', path: 'set_password', detail: true, access: 'superuser', requestSchema: 'UserPasswordSetRequest',
      async handler(ctx, row, body) {
        const password = await hashPassword(String(body.password));
        await ctx.services.db.update(users).set({ password, passwordChangeDate: new Date() }).where(eq(users.id, row!.id));
        return { status: 204 };
      },
    },
    {
      method: 'GET', path: 'metrics', detail: true, access: 'superuser',
      // Logins and authorizations come from the event log, which a later part adds.
      handler: async () => ({ logins: [], logins_failed: [], authorizations: [] }),
    },
    {
      method: 'GET', path: 'recovery', detail: true, access: 'superuser',
      async handler() {
        throw new NotFound('No recovery flow found.');
      },
    },
    {
      method: 'GET', path: 'recovery_email', detail: true, access: 'superuser',
      async handler() {
        throw new NotFound('No recovery flow found.');
      },
    },
  ],
};

