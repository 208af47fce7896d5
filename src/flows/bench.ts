import type { FastifyInstance } from 'fastify';
import { eq } from 'drizzle-orm';
import { systemContext, type Services } from '../api/context.js';
import { createObject } from '../api/writer.js';
import { models } from '../api/registry.js';
import { flows } from './table.js';
import { FlowClient } from './testing.js';

/**
 * A password login flow (identification → password → user_login) for timing the executor, made through the
 * models' write path as the API would; reused when it exists. Returns its slug.
 */
export async function ensurePasswordLoginFlow(services: Services, slug = 'bench-password-login'): Promise<string> {
  const [existing] = await services.db.select().from(flows).where(eq(flows.slug, slug)).limit(1);
  if (existing) return slug;
  const ctx = systemContext(services);
  const model = (name: string) => {
    const found = models.get(name);
    if (!found) throw new Error(`model ${name} is not registered`);
    return found;
  };
  await services.db.transaction(async (raw) => {
    const tx = raw as unknown as Services['db'];
    const flow = await createObject(model('authentik_flows.flow'), { name: slug, slug, title: slug, designation: 'authentication' }, ctx, tx);
    const ident = await createObject(model('authentik_stages_identification.identificationstage'), { name: `${slug}-identification`, user_fields: ['username', 'email'] }, ctx, tx);
    const password = await createObject(model('authentik_stages_password.passwordstage'), { name: `${slug}-password`, backends: ['authentik.core.auth.InbuiltBackend'] }, ctx, tx);
    const login = await createObject(model('authentik_stages_user_login.userloginstage'), { name: `${slug}-login` }, ctx, tx);
    for (const [order, stage] of [[10, ident], [20, password], [100, login]] as const) {
      await createObject(model('authentik_flows.flowstagebinding'), { target: flow.flowUuid, stage: stage.stageUuid, order }, ctx, tx);
    }
  });
  return slug;
}

/**
 * One full password login through the executor, in-process, as the web UI does it: GET the identification
 * challenge, POST the username, POST the password, get the final redirect. Throws unless it logged in.
 */
export async function passwordLoginThroughExecutor(app: FastifyInstance, slug: string, username: string, password: string): Promise<void> {
  const client = new FlowClient(app);
  const first = await client.get(slug, 'next=/');
  if (first.body?.component !== 'ak-stage-identification') throw new Error(`unexpected first challenge ${String(first.body?.component)}`);
  const second = await client.post(slug, { component: 'ak-stage-identification', uid_field: username }, 'next=/');
  if (second.body?.component !== 'ak-stage-password') throw new Error(`unexpected challenge ${String(second.body?.component)}`);
  const done = await client.post(slug, { component: 'ak-stage-password', password }, 'next=/');
  if (done.body?.component !== 'xak-flow-redirect') throw new Error(`login failed: ${String(done.body?.component)}`);
}
