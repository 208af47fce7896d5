import { createHash } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { decodeJwt, decodeProtectedHeader, importJWK, jwtVerify } from 'jose';
import type { Services } from '../../../api/context.js';
import { users } from '../../../core/table.js';
import { recordEvent } from '../../../events/record.js';
import type { Db } from '../../../db/database.js';
import {
  CLIENT_ASSERTION, CLIENT_ASSERTION_TYPE, CLIENT_ASSERTION_TYPE_JWT, GRANT_TYPE_AUTHORIZATION_CODE, GRANT_TYPE_CLIENT_CREDENTIALS,
  GRANT_TYPE_DEVICE_CODE, GRANT_TYPE_PASSWORD, GRANT_TYPE_REFRESH_TOKEN, PKCE_METHOD_S256, SCOPE_OFFLINE_ACCESS, TOKEN_TYPE,
} from '../constants.js';
import { TokenError } from '../errors.js';
import { clientAuth, corsAllow, noStore, params } from '../http.js';
import { secretsEqual } from '../../../lib/secrets.js';
import { providerByClientId, type ApplicationRow, type LoadedProvider } from '../provider-cache.js';
import { redirectUriAllowed } from '../redirect-uris.js';
import { authorizationCodes, deviceTokens, refreshTokens } from '../table.js';
import {
  atHash, findRefreshToken, isExpired, issueAccessToken, issueRefreshToken, newChain, revokeChain, signIdToken, type GrantInput,
} from '../grants.js';
import { lastLogin, type IdTokenClaims, type UserRow } from '../id-token.js';
import { checkApplicationAccess } from '../access.js';
import { appPasswordUser, clientCredentialsAccount, jwtAccount } from '../service-accounts.js';
import { jwksSources } from '../jwks-sources.js';

interface TokenContext {
  services: Services;
  request: FastifyRequest;
  provider: LoadedProvider;
  body: Record<string, string>;
  clientSecret: string;
  grantType: string;
  scope: string[];
}

/** authentik's `pkce_s256_challenge`. */
export function s256Challenge(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

function requestedScopes(ctx: Pick<TokenContext, 'body' | 'provider'>): string[] {
  const requested = [...new Set((ctx.body.scope ?? '').split(/\s+/).filter(Boolean))];
  // Scopes the provider has no mapping for are dropped, as authentik intersects them.
  return requested.filter((s) => ctx.provider.scopeNames.has(s));
}

function checkClientSecret(ctx: TokenContext): void {
  if (ctx.provider.row.clientType === 'confidential' && !secretsEqual(ctx.clientSecret, ctx.provider.row.clientSecret)) {
    throw new TokenError('invalid_client');
  }
}

async function userById(db: Db, id: number): Promise<UserRow | undefined> {
  const [user] = await db.select().from(users).where(eq(users.id, id)).limit(1);
  return user;
}

function tokenResponse(issued: { token: string; expiresIn: number }, scope: string[], idToken: string): Record<string, unknown> {
  return { access_token: issued.token, token_type: TOKEN_TYPE, scope: scope.join(' '), expires_in: issued.expiresIn, id_token: idToken };
}

async function codeGrant(ctx: TokenContext): Promise<Record<string, unknown>> {
  checkClientSecret(ctx);
  const raw = ctx.body.code ?? '';
  if (!raw) throw new TokenError('invalid_grant');
  const redirectUri = ctx.body.redirect_uri ?? '';
  if (!redirectUriAllowed(ctx.provider.row.redirectUris, redirectUri)) {
    await recordEvent(ctx.services, {
      action: 'configuration_error', request: ctx.request,
      context: { message: 'Invalid redirect URI used by provider', provider: ctx.provider.row.name, redirect_uri: redirectUri },
    }).catch(() => undefined);
    throw new TokenError('invalid_client');
  }
  const db = ctx.services.db;
  const [code] = raw.length <= 255 ? await db.select().from(authorizationCodes).where(eq(authorizationCodes.code, raw)).limit(1) : [];
  if (!code || code.providerId !== ctx.provider.row.id) throw new TokenError('invalid_grant');
  if (code.revoked) {
    // A code used twice: whoever holds it is not to be trusted, nor anything issued from it (RFC 6749 §4.1.2).
    if (code.chain) await revokeChain(db, code.chain);
    await recordEvent(ctx.services, {
      action: 'suspicious_request', request: ctx.request, user: await userById(db, code.userId),
      context: { message: 'Authorization code was used more than once', provider: ctx.provider.row.name },
    }).catch(() => undefined);
    throw new TokenError('invalid_grant');
  }
  if (isExpired(code)) throw new TokenError('invalid_grant');
  if (code.redirectUri && code.redirectUri !== redirectUri) throw new TokenError('invalid_grant');
  const verifier = ctx.body.code_verifier;
  if (code.codeChallenge) {
    if (!verifier) throw new TokenError('invalid_grant');
    const challenge = code.codeChallengeMethod === PKCE_METHOD_S256 ? s256Challenge(verifier) : verifier;
    if (!secretsEqual(challenge, code.codeChallenge)) throw new TokenError('invalid_grant');
  } else if (verifier) {
    // A verifier for a code without a challenge: a downgrade attempt.
    throw new TokenError('invalid_grant');
  }
  // Claimed atomically: of two concurrent redemptions, one wins and the other is a replay.
  const claimed = await db.update(authorizationCodes).set({ revoked: true })
    .where(and(eq(authorizationCodes.id, code.id), eq(authorizationCodes.revoked, false))).returning({ id: authorizationCodes.id });
  if (!claimed.length) {
    if (code.chain) await revokeChain(db, code.chain);
    throw new TokenError('invalid_grant');
  }
  const user = await userById(db, code.userId);
  if (!user || !user.isActive) throw new TokenError('invalid_grant');
  const scope = code.scope.split(' ').filter(Boolean);
  const login = code.sessionId ? await lastLogin(ctx.services, user.id) : undefined;
  const input: GrantInput = {
    user, scope, authTime: code.authTime, sessionId: code.sessionId, chain: code.chain, request: ctx.request, nonce: code.nonce, loginContext: login?.context,
  };
  return issueUserTokens(ctx, input);
}

/** An access token, its ID token (with `at_hash`) and, with `offline_access`, a refresh token. */
async function issueUserTokens(ctx: TokenContext, input: GrantInput): Promise<Record<string, unknown>> {
  const issued = await issueAccessToken(ctx.services, ctx.provider, input);
  const idToken: IdTokenClaims = { ...issued.idToken, at_hash: atHash(issued.token) };
  const response = tokenResponse(issued, input.scope, await signIdToken(ctx.provider, idToken));
  if (input.scope.includes(SCOPE_OFFLINE_ACCESS)) {
    const refresh = await issueRefreshToken(ctx.services, ctx.provider, input, idToken);
    response.refresh_token = refresh.token;
  }
  return response;
}

async function refreshGrant(ctx: TokenContext): Promise<Record<string, unknown>> {
  checkClientSecret(ctx);
  const db = ctx.services.db;
  const token = await findRefreshToken(db, ctx.body.refresh_token ?? '', ctx.provider.row.id);
  if (!token || isExpired(token)) throw new TokenError('invalid_grant');
  const user = await userById(db, token.userId);
  if (token.revoked) {
    // Rotation means a revoked refresh token is only presented by someone who kept a copy: end the whole chain.
    if (token.chain) await revokeChain(db, token.chain);
    await recordEvent(ctx.services, {
      action: 'suspicious_request', request: ctx.request, user,
      context: { message: 'Revoked refresh token was used', provider: ctx.provider.row.name },
    }).catch(() => undefined);
    throw new TokenError('invalid_grant');
  }
  const granted = token.scope.split(' ').filter(Boolean);
  const requested = ctx.scope.length ? ctx.scope : granted;
  if (requested.some((s) => !granted.includes(s))) throw new TokenError('invalid_scope');
  if (!requested.includes(SCOPE_OFFLINE_ACCESS)) throw new TokenError('invalid_scope');
  if (!user || !user.isActive) throw new TokenError('invalid_grant');
  const rotated = await db.update(refreshTokens).set({ revoked: true })
    .where(and(eq(refreshTokens.id, token.id), eq(refreshTokens.revoked, false))).returning({ id: refreshTokens.id });
  if (!rotated.length) {
    if (token.chain) await revokeChain(db, token.chain);
    throw new TokenError('invalid_grant');
  }
  const previous = JSON.parse(token.idToken || '{}') as IdTokenClaims;
  const input: GrantInput = {
    user, scope: granted, authTime: token.authTime, sessionId: token.sessionId, chain: token.chain ?? newChain(), request: ctx.request, nonce: previous.nonce,
  };
  return issueUserTokens(ctx, input);
}

async function requireApplication(ctx: TokenContext): Promise<ApplicationRow> {
  const application = ctx.provider.application;
  if (!application) throw new TokenError('invalid_grant');
  return application;
}

async function checkAccess(ctx: TokenContext, user: UserRow, extra: Record<string, unknown> = {}): Promise<void> {
  const application = await requireApplication(ctx);
  if (!ctx.provider.applicationHasBindings) return;
  const result = await checkApplicationAccess(ctx.services, application, user, ctx.request, {
    oauth_scopes: ctx.scope, oauth_grant_type: ctx.grantType, oauth_code_verifier: ctx.body.code_verifier ?? null, ...extra,
  }, false);
  if (!result.passing) throw new TokenError('invalid_grant');
}

/**
 * When the automatic service account of each provider last had its login recorded. authentik records a login on
 * every client-secret grant; a machine asking for tokens many times a second would turn the event log into a
 * write per grant, so these logins are recorded at most once a minute per provider.
 */
const serviceAccountLogins = new Map<number, number>();
const SERVICE_ACCOUNT_LOGIN_INTERVAL_MS = 60_000;

function loginEvent(ctx: TokenContext, user: UserRow, method: string, args?: Record<string, unknown>): void {
  if (method === 'oauth_client_secret') {
    const last = serviceAccountLogins.get(ctx.provider.row.id);
    if (last !== undefined && Date.now() - last < SERVICE_ACCOUNT_LOGIN_INTERVAL_MS) return;
    if (serviceAccountLogins.size > 10_000) serviceAccountLogins.clear();
    serviceAccountLogins.set(ctx.provider.row.id, Date.now());
  }
  const application = ctx.provider.application;
  void recordEvent(ctx.services, {
    action: 'login', request: ctx.request, user,
    context: {
      auth_method: method,
      ...(args ? { auth_method_args: args } : {}),
      application: application ? { pk: application.pbmUuid.replace(/-/g, ''), app: 'authentik_core', model_name: 'application', name: application.name } : null,
    },
  }).catch((err) => ctx.services.log.warn({ err: (err as Error).message }, 'could not record a login event'));
}

async function credentialsUser(ctx: TokenContext, username: string, password: string): Promise<UserRow> {
  const found = await appPasswordUser(ctx.services, username, password);
  if (!found) throw new TokenError('invalid_grant');
  await checkAccess(ctx, found.user);
  loginEvent(ctx, found.user, 'token', { identifier: found.identifier });
  return found.user;
}

async function assertionUser(ctx: TokenContext): Promise<UserRow> {
  if (ctx.body[CLIENT_ASSERTION_TYPE] !== CLIENT_ASSERTION_TYPE_JWT) throw new TokenError('invalid_grant');
  const assertion = ctx.body[CLIENT_ASSERTION] ?? ctx.body.client_secret;
  if (!assertion) throw new TokenError('invalid_grant');
  let kid: string | undefined;
  let alg: string | undefined;
  try {
    ({ kid, alg } = decodeProtectedHeader(assertion));
    decodeJwt(assertion);
  } catch {
    throw new TokenError('invalid_grant');
  }
  if (!kid || !alg) throw new TokenError('invalid_grant');
  let claims: Record<string, unknown> | undefined;
  let source: Awaited<ReturnType<typeof jwksSources>>[number] | undefined;
  for (const candidate of await jwksSources(ctx.services, ctx.provider.row.jwksSources)) {
    for (const jwk of candidate.keys) {
      if (jwk.kid && jwk.kid !== kid) continue;
      try {
        const key = await importJWK(jwk, jwk.alg ?? alg);
        // Audience is not checked, as authentik does not; expiry is.
        ({ payload: claims } = await jwtVerify(assertion, key, { algorithms: [jwk.alg ?? alg] }));
        source = candidate;
        break;
      } catch {
        /* another key may verify it */
      }
    }
    if (claims) break;
  }
  if (!claims || !source) throw new TokenError('invalid_grant');
  const application = await requireApplication(ctx);
  const sub = typeof claims.sub === 'string' ? claims.sub : '';
  const user = await jwtAccount(ctx.services, ctx.provider, application, sub, source.userPath, claims.exp);
  await checkAccess(ctx, user, { oauth_jwt: claims });
  loginEvent(ctx, user, 'jwt', { jwt: claims, source: { slug: source.slug } });
  return user;
}

async function clientCredentialsUser(ctx: TokenContext): Promise<UserRow> {
  if (ctx.body[CLIENT_ASSERTION_TYPE]) return assertionUser(ctx);
  if (ctx.body.username) return credentialsUser(ctx, ctx.body.username, ctx.body.password ?? '');
  if (ctx.provider.row.clientSecret && secretsEqual(ctx.clientSecret, ctx.provider.row.clientSecret)) {
    const application = await requireApplication(ctx);
    const user = await clientCredentialsAccount(ctx.services, ctx.provider, application);
    await checkAccess(ctx, user);
    loginEvent(ctx, user, 'oauth_client_secret');
    return user;
  }
  // authentik's workaround for clients that can only send a secret: base64 of `username:app-password`.
  const decoded = Buffer.from(ctx.clientSecret, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 1) throw new TokenError('invalid_grant');
  return credentialsUser(ctx, decoded.slice(0, colon), decoded.slice(colon + 1));
}

/**
 * client_credentials (and `password`, which authentik maps onto it): an access token (the ID token's claims with
 * `azp` and `uid`) and the ID token itself, signed apart as authentik does. Both are signed per grant; the ID
 * token's claims repeat within a second for one client, and so does its signature (`encodeJwtShared`).
 */
async function clientCredentialsGrant(ctx: TokenContext): Promise<Record<string, unknown>> {
  const user = await clientCredentialsUser(ctx);
  const issued = await issueAccessToken(ctx.services, ctx.provider, { user, scope: ctx.scope, authTime: new Date(), request: ctx.request });
  return tokenResponse(issued, ctx.scope, await signIdToken(ctx.provider, issued.idToken));
}

async function deviceCodeGrant(ctx: TokenContext): Promise<Record<string, unknown>> {
  const db = ctx.services.db;
  const deviceCode = ctx.body.device_code ?? '';
  const [device] = deviceCode ? await db.select().from(deviceTokens)
    .where(and(eq(deviceTokens.deviceCode, deviceCode), eq(deviceTokens.providerId, ctx.provider.row.id))).limit(1) : [];
  if (!device) throw new TokenError('invalid_grant');
  if (device.expiring && device.expires.getTime() <= Date.now()) {
    await db.delete(deviceTokens).where(eq(deviceTokens.id, device.id));
    throw new TokenError('expired_token');
  }
  if (!device.userId) throw new TokenError('authorization_pending');
  const deleted = await db.delete(deviceTokens).where(eq(deviceTokens.id, device.id)).returning({ id: deviceTokens.id });
  if (!deleted.length) throw new TokenError('invalid_grant');
  const user = await userById(db, device.userId);
  if (!user) throw new TokenError('invalid_grant');
  const login = await lastLogin(ctx.services, user.id);
  const scope = device.scope.split(' ').filter(Boolean);
  return issueUserTokens(ctx, {
    user, scope, authTime: device.authTime ?? login?.created ?? new Date(), sessionId: device.sessionId, chain: newChain(), request: ctx.request, loginContext: login?.context,
  });
}

const GRANTS: Record<string, (ctx: TokenContext) => Promise<Record<string, unknown>>> = {
  [GRANT_TYPE_AUTHORIZATION_CODE]: codeGrant,
  [GRANT_TYPE_REFRESH_TOKEN]: refreshGrant,
  [GRANT_TYPE_CLIENT_CREDENTIALS]: clientCredentialsGrant,
  [GRANT_TYPE_PASSWORD]: clientCredentialsGrant,
  [GRANT_TYPE_DEVICE_CODE]: deviceCodeGrant,
};

/** `POST /application/o/token/` (authentik's `TokenView`). */
export async function tokenView(services: Services, request: FastifyRequest, reply: FastifyReply) {
  let provider: LoadedProvider | undefined;
  try {
    const body = params(request);
    const { clientId, clientSecret } = clientAuth(request, body);
    provider = await providerByClientId(services, clientId);
    if (!provider) throw new TokenError('invalid_client');
    const grantType = body.grant_type ?? '';
    const grant = GRANTS[grantType];
    if (!grant) throw new TokenError('unsupported_grant_type');
    const ctx: TokenContext = { services, request, provider, body, clientSecret, grantType, scope: [] };
    ctx.scope = requestedScopes(ctx);
    corsAllow(request, reply, provider.row.redirectUris.map((u) => u.url));
    const result = await grant(ctx);
    return noStore(reply).code(200).send(result);
  } catch (err) {
    if (!(err instanceof TokenError)) throw err;
    if (provider) corsAllow(request, reply, provider.row.redirectUris.map((u) => u.url));
    if (err.status === 401) reply.header('WWW-Authenticate', 'Basic realm="authentik"');
    return noStore(reply).code(err.status).send(err.body());
  }
}

