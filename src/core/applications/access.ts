import { eq } from 'drizzle-orm';
import type { FastifyRequest } from 'fastify';
import type { Services } from '../../api/context.js';
import { evaluateBindings, type PolicyResult } from '../../policies/engine.js';
import { policyHttpRequest } from '../../policies/http.js';
import { applications, users } from '../table.js';

type ApplicationRow = typeof applications.$inferSelect;
type UserRow = typeof users.$inferSelect;

export interface AccessOptions {
  /** The HTTP request the check is made for (policies read its IP, host, session). */
  request?: FastifyRequest;
  sessionKey?: string;
  /** Collect the policies' log lines (a superuser's `check_access`); results are then not cached. */
  debug?: boolean;
  /** Use cached policy results (the application list does; `check_access` does not). */
  useCache?: boolean;
}

/**
 * Whether `user` may use `application`: the one place access to applications is decided (authentik's
 * `PolicyEngine(application, user, request)`), read by the application list, `check_access` and later the
 * providers' authorization endpoints. An application without bindings lets everyone in.
 */
export async function applicationAccess(services: Services, application: ApplicationRow, user: UserRow, options: AccessOptions = {}): Promise<PolicyResult> {
  return evaluateBindings(services, { pbmUuid: application.pbmUuid, policyEngineMode: application.policyEngineMode === 'all' ? 'all' : 'any' }, {
    user,
    obj: { pk: application.pbmUuid, slug: application.slug, name: application.name },
    context: {},
    httpRequest: options.request ? policyHttpRequest(options.request, options.sessionKey) : undefined,
    debug: options.debug,
  }, { useCache: options.useCache ?? true });
}

export async function userRow(services: Services, id: number): Promise<UserRow | undefined> {
  const [user] = await services.db.select().from(users).where(eq(users.id, id)).limit(1);
  return user;
}
