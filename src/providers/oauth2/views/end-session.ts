import { eq } from 'drizzle-orm';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../../../api/context.js';
import { createSessionStore, SESSION_COOKIE } from '../../../core/sessions.js';
import { tenantForHost } from '../../../core/tenants/current.js';
import { executeRows } from '../../../db/database.js';
import { sql } from 'drizzle-orm';
import { recordEvent } from '../../../events/record.js';
import { params } from '../http.js';
import { providerByApplicationSlug } from '../provider-cache.js';
import { redirectUriAllowed } from '../redirect-uris.js';
import { hashSessionKey } from '../id-token.js';
import { accessTokens, refreshTokens } from '../table.js';
import { sendPage } from '../pages.js';
import { sessionUser } from '../session-user.js';

async function flowSlug(services: Services, flowUuid: string | null): Promise<string | undefined> {
  if (!flowUuid) return undefined;
  const [exists] = await executeRows<{ found: boolean }>(services.db, sql`select to_regclass('authentik_flows_flow') is not null as "found"`);
  if (!exists?.found) return undefined;
  const [row] = await executeRows<{ slug: string }>(services.db, sql`select slug from authentik_flows_flow where flow_uuid = ${flowUuid}::uuid`);
  return row?.slug;
}

/**
 * `GET|POST /application/o/<slug>/end-session/` (authentik's `EndSessionView`). Tokens issued in the browser
 * session end with it. With a registered `post_logout_redirect_uri` the session is ended here and the client gets
 * the user back; otherwise the tenant's invalidation flow logs the user out (or, without one, this view does).
 */
export const endSessionView = (services: Services) => async (request: FastifyRequest, reply: FastifyReply) => {
  const slug = (request.params as { slug: string }).slug;
  const provider = await providerByApplicationSlug(services, slug);
  if (!provider) return sendPage(reply, 404, 'Not found', 'No such application.');
  const query = params(request);
  const { session, user } = await sessionUser(services, request);
  if (session) {
    const sid = hashSessionKey(session.key);
    await Promise.all([
      services.db.update(accessTokens).set({ revoked: true }).where(eq(accessTokens.sessionId, sid)),
      services.db.update(refreshTokens).set({ revoked: true }).where(eq(refreshTokens.sessionId, sid)),
    ]);
  }
  const target = query.post_logout_redirect_uri;
  const back = target && redirectUriAllowed(provider.row.redirectUris, target) ? target : undefined;
  const tenant = await tenantForHost(services, request.host);
  const invalidation = back ? undefined : await flowSlug(services, tenant.flowInvalidation);
  if (invalidation) {
    const search = new URLSearchParams(query).toString();
    return reply.redirect(`/if/flow/${encodeURIComponent(invalidation)}/${search ? `?${search}` : ''}`);
  }
  if (session) {
    await createSessionStore(services.db).destroy(session.key);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    if (user) await recordEvent(services, { action: 'logout', user, request }).catch(() => undefined);
  }
  if (back) {
    const url = new URL(back);
    if (query.state) url.searchParams.set('state', query.state);
    return reply.redirect(url.toString());
  }
  return sendPage(reply, 200, 'Logged out', `You've logged out of ${provider.application?.name ?? 'authentik'}.`);
};

