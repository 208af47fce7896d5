import { eq } from 'drizzle-orm';
import type { FastifyRequest } from 'fastify';
import type { Services } from '../../api/context.js';
import { createSessionStore, SESSION_COOKIE, type Session } from '../../core/sessions.js';
import { users } from '../../core/table.js';
import type { UserRow } from './id-token.js';

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
