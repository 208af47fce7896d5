import { and, eq } from 'drizzle-orm';
import type { Services } from '../api/context.js';
import { groups, installId, tenants, tokens, userGroups, users } from './table.js';
import { hashPassword } from './passwords.js';

export const ADMIN_USERNAME = 'akadmin';
export const ADMIN_GROUP = 'authentik Admins';
export const BOOTSTRAP_TOKEN_IDENTIFIER = 'authentik-bootstrap-token';

/**
 * What authentik's first start creates: the install id, the default tenant, and `akadmin` in the superuser
 * group `authentik Admins`, with `AUTHENTIK_BOOTSTRAP_PASSWORD`/`_EMAIL`/`_TOKEN` applied when they are set.
 * Runs at every start and only fills in what is missing, so a changed password is never reset.
 */
export async function bootstrapCore(services: Services): Promise<void> {
  const { db, config } = services;
  await db.transaction(async (tx) => {
    if (!(await tx.select().from(installId).limit(1)).length) await tx.insert(installId).values({});
    if (!(await tx.select({ id: tenants.tenantUuid }).from(tenants).where(eq(tenants.default, true)).limit(1)).length) {
      await tx.insert(tenants).values({ domain: 'authentik-default', default: true });
    }
    let [group] = await tx.select().from(groups).where(eq(groups.name, ADMIN_GROUP)).limit(1);
    if (!group) [group] = await tx.insert(groups).values({ name: ADMIN_GROUP, isSuperuser: true }).returning();
    let [admin] = await tx.select().from(users).where(eq(users.username, ADMIN_USERNAME)).limit(1);
    if (!admin) {
      const password = config.bootstrap.password ? await hashPassword(config.bootstrap.password) : '';
      [admin] = await tx.insert(users).values({
        username: ADMIN_USERNAME, name: 'authentik Default Admin', email: config.bootstrap.email, password,
      }).returning();
      await tx.insert(userGroups).values({ userId: admin.id, groupId: group.groupUuid }).onConflictDoNothing();
    }
    if (config.bootstrap.token) {
      const [existing] = await tx.select().from(tokens).where(eq(tokens.identifier, BOOTSTRAP_TOKEN_IDENTIFIER)).limit(1);
      if (!existing) {
        await tx.insert(tokens).values({
          identifier: BOOTSTRAP_TOKEN_IDENTIFIER, key: config.bootstrap.token, intent: 'api', userId: admin.id,
          expiring: false, description: 'Bootstrap token', managed: 'goauthentik.io/bootstrap-token',
        });
      } else if (existing.key !== config.bootstrap.token) {
        await tx.update(tokens).set({ key: config.bootstrap.token }).where(and(eq(tokens.identifier, BOOTSTRAP_TOKEN_IDENTIFIER)));
      }
    }
  });
  const [row] = await db.select().from(installId).limit(1);
  services.installId = row.id;
}
