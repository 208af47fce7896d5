import { and, eq, gt, or } from 'drizzle-orm';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ApiContext, Principal, Services } from './context.js';
import { NotAuthenticated, PermissionDenied } from './errors.js';
import { tokens, users } from '../core/table.js';
import { isSuperuserSql } from '../core/users-logic.js';
import { createSessionStore, CSRF_COOKIE, CSRF_HEADER, SESSION_COOKIE } from '../core/sessions.js';
import { secretsEqual } from '../lib/secrets.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** What a principal is made of, read with the user in the same statement (every API request reads it). */
const PRINCIPAL_COLUMNS = {
  id: users.id, uuid: users.uuid, username: users.username, isActive: users.isActive, isSuperuser: isSuperuserSql(users.id),
};

type PrincipalRow = { id: number; uuid: string; username: string; isActive: boolean; isSuperuser: boolean };

function principalOf(user: PrincipalRow | undefined, via: Principal['via'], extra: Partial<Principal> = {}): Principal | undefined {
  if (!user || !user.isActive) return undefined;
  return { id: user.id, uuid: user.uuid, username: user.username, isSuperuser: Boolean(user.isSuperuser), via, ...extra };
}

async function principalFor(services: Services, userId: number, via: Principal['via'], extra: Partial<Principal> = {}): Promise<Principal | undefined> {
  const [user] = await services.db.select(PRINCIPAL_COLUMNS).from(users).where(eq(users.id, userId)).limit(1);
  return principalOf(user, via, extra);
}

/** `Authorization: Bearer <key>` with an API token that has not expired, as authentik's token auth. */
async function fromToken(services: Services, header: string): Promise<Principal> {
  const [scheme, key] = header.split(' ', 2);
  if (scheme.toLowerCase() !== 'bearer' || !key) throw new NotAuthenticated('Invalid token header. No credentials provided.');
  const [token] = await services.db.select({ key: tokens.key, user: PRINCIPAL_COLUMNS }).from(tokens)
    .innerJoin(users, eq(users.id, tokens.userId))
    .where(and(eq(tokens.key, key), eq(tokens.intent, 'api'), or(eq(tokens.expiring, false), gt(tokens.expires, new Date()))))
    .limit(1);
  const principal = token && secretsEqual(token.key, key) ? principalOf(token.user, 'token') : undefined;
  if (!principal) throw new NotAuthenticated('Token invalid/expired');
  return principal;
}

async function fromSession(services: Services, request: FastifyRequest): Promise<Principal | undefined> {
  const session = await createSessionStore(services.db).load(request.cookies[SESSION_COOKIE]);
  if (!session?.data.user_id) return undefined;
  return principalFor(services, session.data.user_id, 'session', {
    sessionKey: session.key,
    impersonatorId: session.data.impersonator_id,
  });
}

/** Django's CSRF rule for cookie sessions: unsafe methods must echo the CSRF cookie in a header. */
function checkCsrf(request: FastifyRequest): void {
  if (SAFE_METHODS.has(request.method)) return;
  const cookie = request.cookies[CSRF_COOKIE];
  const header = request.headers[CSRF_HEADER];
  if (!cookie || typeof header !== 'string' || !secretsEqual(cookie, header)) {
    throw new PermissionDenied('CSRF Failed: CSRF token missing or incorrect.');
  }
}

export async function authenticate(services: Services, request: FastifyRequest): Promise<Principal | undefined> {
  const header = request.headers.authorization;
  if (header) return fromToken(services, header);
  const principal = await fromSession(services, request);
  if (principal) checkCsrf(request);
  return principal;
}

/** Builds the context of an API request, refusing anonymous callers as authentik's API does. */
export function contextFactory(services: Services) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<ApiContext> => {
    const principal = await authenticate(services, request);
    if (!principal) throw new NotAuthenticated();
    return { services, request, reply, principal };
  };
}
