import { eq } from 'drizzle-orm';
import type { FastifyRequest } from 'fastify';
import type { Services } from '../../api/context.js';
import { createSessionStore, SESSION_COOKIE, type Session } from '../../core/sessions.js';
import { users } from '../../core/table.js';
import { SESSION_KEY_PLAN } from '../../flows/executor.js';
import type { FlowPlan } from '../../flows/plan.js';
import type { FlowSession } from '../../flows/session.js';
import { flows } from '../../flows/table.js';
import type { UserRow } from './id-token.js';
import type { LoadedProvider } from './provider-cache.js';

/** The browser session of a request and its (active) user, if it is logged in. */
export async function sessionUser(services: Services, request: FastifyRequest): Promise<{ session: Session | undefined; user: UserRow | undefined }> {
  const session = await createSessionStore(services.db).load(request.cookies[SESSION_COOKIE]);
  if (!session?.data.user_id) return { session, user: undefined };
  const [user] = await services.db.select().from(users).where(eq(users.id, session.data.user_id)).limit(1);
  return { session, user: user?.isActive ? user : undefined };
}

/** Where an anonymous user is sent to log in first (the tenant's authentication flow), coming back to `next`. */
export function loginUrl(next: string): string {
  return `/flows/-/default/authentication/?next=${encodeURIComponent(next)}`;
}

/**
 * Where a user is sent to log in for a provider: its own `authentication_flow` when it has one, else the tenant's.
 * A half-done plan of another flow in the session is dropped, as the default-flow redirect does.
 */
export async function providerLoginUrl(services: Services, provider: LoadedProvider, session: FlowSession, next: string): Promise<string> {
  const flowId = provider.row.authenticationFlow;
  const [flow] = flowId ? await services.db.select({ flowUuid: flows.flowUuid, slug: flows.slug }).from(flows).where(eq(flows.flowUuid, flowId)).limit(1) : [];
  if (!flow) return loginUrl(next);
  const plan = session.get(SESSION_KEY_PLAN) as FlowPlan | undefined;
  if (plan && plan.flowPk !== flow.flowUuid) session.delete(SESSION_KEY_PLAN);
  return `/if/flow/${encodeURIComponent(flow.slug)}/?next=${encodeURIComponent(next)}`;
}
