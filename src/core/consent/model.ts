import { inArray } from 'drizzle-orm';
import type { ModelContext } from '../../api/context.js';
import type { Json, ModelDefinition } from '../../api/model.js';
import { timestampOut } from '../../api/model.js';
import { applications, userConsents, users } from '../table.js';
import { userModel } from '../users/model.js';
import { applicationModel } from '../applications/model.js';

export type UserConsentRow = typeof userConsents.$inferSelect;

async function serializeConsents(rows: UserConsentRow[], ctx: ModelContext): Promise<Json[]> {
  const db = ctx.services.db;
  const userIds = [...new Set(rows.map((r) => r.userId))];
  const appIds = [...new Set(rows.map((r) => r.applicationId))];
  const [owners, apps] = await Promise.all([
    userIds.length ? db.select().from(users).where(inArray(users.id, userIds)) : [],
    appIds.length ? db.select().from(applications).where(inArray(applications.pbmUuid, appIds)) : [],
  ]);
  const [renderedUsers, renderedApps] = await Promise.all([userModel.serialize(owners, ctx), applicationModel.serialize(apps, ctx)]);
  const userById = new Map(owners.map((u, i) => [u.id, renderedUsers[i]]));
  const appById = new Map(apps.map((a, i) => [a.pbmUuid, renderedApps[i]]));
  return rows.map((row) => ({
    pk: row.id,
    expires: timestampOut(row.expires),
    user: userById.get(row.userId),
    application: appById.get(row.applicationId),
    permissions: row.permissions,
  }));
}

export const userConsentModel: ModelDefinition<UserConsentRow> = {
  name: 'authentik_core.userconsent',
  verboseName: 'User Consent',
  verboseNamePlural: 'User Consents',
  table: userConsents,
  pk: userConsents.id,
  // Consent is given in a consent stage, never written through the API.
  fields: {},
  displayName: (row) => `User Consent ${row.applicationId} by ${row.userId}`,
  serialize: serializeConsents,
};
