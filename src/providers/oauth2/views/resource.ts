import { eq } from 'drizzle-orm';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../../../api/context.js';
import { users } from '../../../core/table.js';
import { SCOPE_OPENID } from '../constants.js';
import { OAuthError, TokenError } from '../errors.js';
import { bearerToken, clientAuth, corsAllow, noStore, params } from '../http.js';
import { secretsEqual } from '../../../lib/secrets.js';
import { loadProvider, providerByClientId, type LoadedProvider } from '../provider-cache.js';
import { findAccessToken, isExpired, revokeChain, type AccessTokenRow } from '../grants.js';
import { scopeClaims, type IdTokenClaims } from '../id-token.js';
import { accessTokens, refreshTokens } from '../table.js';
import { and } from 'drizzle-orm';

/** RFC 6750 §3: the challenge a protected resource answers with. */
function bearerError(reply: FastifyReply, error: OAuthError) {
  reply.header('WWW-Authenticate', `Bearer realm="authentik", error="${error.error}", error_description="${error.description}"`);
  return noStore(reply).code(error.status).send(error.body());
}

/** authentik's `protected_resource_view([openid])`: a live access token that was granted `openid`. */
async function protectedToken(services: Services, request: FastifyRequest): Promise<AccessTokenRow> {
  const raw = bearerToken(request);
  if (!raw) throw new OAuthError('invalid_request', undefined, 400);
  const token = await findAccessToken(services.db, raw);
  if (!token) throw new OAuthError('invalid_token', undefined, 401);
  if (!token.scope.split(' ').includes(SCOPE_OPENID)) throw new OAuthError('insufficient_scope', undefined, 403);
  return token;
}

/** `GET|POST /application/o/userinfo/` (authentik's `UserInfoView`): the granted scopes' claims and `sub`. */
export const userinfoView = (services: Services) => async (request: FastifyRequest, reply: FastifyReply) => {
  let provider: LoadedProvider | undefined;
  try {
    const token = await protectedToken(services, request);
    provider = await loadProvider(services, token.providerId);
    const [user] = await services.db.select().from(users).where(eq(users.id, token.userId)).limit(1);
    if (!provider || !user || !user.isActive) throw new OAuthError('invalid_token', undefined, 401);
    corsAllow(request, reply, provider.row.redirectUris.map((u) => u.url));
    const scope = token.scope.split(' ').filter(Boolean);
    const claims = await scopeClaims(services, provider, { user, scope, request, token: { scope } });
    const idToken = JSON.parse(token.idToken || '{}') as IdTokenClaims;
    claims.sub = idToken.sub;
    return noStore(reply).send(claims);
  } catch (err) {
    if (!(err instanceof OAuthError)) throw err;
    if (provider) corsAllow(request, reply, provider.row.redirectUris.map((u) => u.url));
    return bearerError(reply, err);
  }
};

/** The provider whose client credentials the request carries (introspection and revocation authenticate the client). */
async function authenticatedClient(services: Services, request: FastifyRequest, body: Record<string, string>): Promise<LoadedProvider> {
  const { clientId, clientSecret } = clientAuth(request, body);
  const provider = await providerByClientId(services, clientId);
  if (!provider) throw new TokenError('invalid_client');
  if (provider.row.clientType === 'confidential' && !secretsEqual(clientSecret, provider.row.clientSecret)) throw new TokenError('invalid_client');
  return provider;
}

function clientError(reply: FastifyReply, err: TokenError) {
  if (err.status === 401) reply.header('WWW-Authenticate', 'Basic realm="authentik"');
  return noStore(reply).code(err.status).send(err.body());
}

/**
 * `POST /application/o/introspect/` (RFC 7662, authentik's `TokenIntrospectionView`): a token of the calling
 * client only; anything else, another client's token included, is `{"active": false}`.
 */
export const introspectView = (services: Services) => async (request: FastifyRequest, reply: FastifyReply) => {
  const body = params(request);
  let provider: LoadedProvider;
  try {
    provider = await authenticatedClient(services, request, body);
  } catch (err) {
    if (err instanceof TokenError) return clientError(reply, err);
    throw err;
  }
  const raw = body.token ?? '';
  const db = services.db;
  const [access] = raw ? await db.select().from(accessTokens).where(and(eq(accessTokens.token, raw), eq(accessTokens.providerId, provider.row.id))).limit(1) : [];
  const [refresh] = raw && !access && raw.length <= 255
    ? await db.select().from(refreshTokens).where(and(eq(refreshTokens.token, raw), eq(refreshTokens.providerId, provider.row.id))).limit(1) : [];
  const token = access ?? refresh;
  if (!token) return noStore(reply).send({ active: false });
  const active = !token.revoked && !isExpired(token);
  if (!active) return noStore(reply).send({ active: false });
  return noStore(reply).send({
    ...(JSON.parse(token.idToken || '{}') as IdTokenClaims),
    active: true,
    scope: token.scope,
    client_id: provider.row.clientId,
    token_type: access ? 'access_token' : 'refresh_token',
  });
};

/**
 * `POST /application/o/revoke/` (RFC 7009): revokes a token of the calling client; a refresh token takes the
 * tokens issued with it along. Unknown tokens are answered 200 all the same.
 */
export const revokeView = (services: Services) => async (request: FastifyRequest, reply: FastifyReply) => {
  const body = params(request);
  let provider: LoadedProvider;
  try {
    provider = await authenticatedClient(services, request, body);
  } catch (err) {
    if (err instanceof TokenError) return clientError(reply, err);
    throw err;
  }
  const raw = body.token ?? '';
  const db = services.db;
  if (raw) {
    const revokedAccess = await db.update(accessTokens).set({ revoked: true })
      .where(and(eq(accessTokens.token, raw), eq(accessTokens.providerId, provider.row.id))).returning({ id: accessTokens.id });
    if (!revokedAccess.length && raw.length <= 255) {
      const [refresh] = await db.update(refreshTokens).set({ revoked: true })
        .where(and(eq(refreshTokens.token, raw), eq(refreshTokens.providerId, provider.row.id))).returning({ chain: refreshTokens.chain });
      if (refresh?.chain) await revokeChain(db, refresh.chain);
    }
  }
  corsAllow(request, reply, provider.row.redirectUris.map((u) => u.url));
  return noStore(reply).code(200).send();
};
