import { eq } from 'drizzle-orm';
import type { Services } from '../api/context.js';
import { ADMIN_USERNAME } from '../core/bootstrap.js';
import { users } from '../core/table.js';
import { flows } from '../flows/table.js';

/** The out-of-box flow that `blueprints/default/flow-oobe.yaml` ships. */
export const INITIAL_SETUP_SLUG = 'initial-setup';

/**
 * Whether a first visitor should be sent to the initial setup: started without a bootstrap password, akadmin
 * has no usable one (Django's empty or `!`-prefixed hash) and nobody could log in yet. Once the flow has
 * set a password, `/` goes to the login page as usual (the flow's own policy refuses it from then on too).
 */
export async function initialSetupPending(services: Services): Promise<boolean> {
  if (!(await adminLacksPassword(services))) return false;
  const [flow] = await services.db.select({ slug: flows.slug }).from(flows).where(eq(flows.slug, INITIAL_SETUP_SLUG)).limit(1);
  return Boolean(flow);
}

/** akadmin exists without a usable password (Django's empty or `!`-prefixed hash): nobody can log in with one yet. */
export async function adminLacksPassword(services: Services): Promise<boolean> {
  const [admin] = await services.db.select({ password: users.password }).from(users).where(eq(users.username, ADMIN_USERNAME)).limit(1);
  return Boolean(admin) && (!admin.password || admin.password.startsWith('!'));
}
