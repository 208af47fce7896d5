import type { FastifyRequest } from 'fastify';
import type { Services } from '../../api/context.js';
import { evaluateBindings } from '../../policies/engine.js';
import { policyHttpRequest } from '../../policies/http.js';
import type { UserRow } from './id-token.js';
import type { ApplicationRow } from './provider-cache.js';

/**
 * Whether `user` may use the application (its policy bindings, authentik's `PolicyEngine(app, user, request)`),
 * with the OAuth request's details in the policy context as authentik puts them there.
 */
export async function checkApplicationAccess(
  services: Services, application: ApplicationRow, user: UserRow, request: FastifyRequest | undefined, context: Record<string, unknown>, useCache = true,
): Promise<{ passing: boolean; messages: string[] }> {
  const result = await evaluateBindings(services, { pbmUuid: application.pbmUuid, policyEngineMode: application.policyEngineMode === 'all' ? 'all' : 'any' }, {
    user,
    obj: { pk: application.pbmUuid, slug: application.slug, name: application.name },
    context,
    httpRequest: request ? policyHttpRequest(request) : undefined,
  }, { useCache });
  return { passing: result.passing, messages: result.messages };
}
