import { createHash, randomBytes } from 'node:crypto';
import { and, desc, eq, sql } from 'drizzle-orm';
import type { FastifyRequest } from 'fastify';
import type { Services } from '../../api/context.js';
import { users } from '../../core/table.js';
import { userUid } from '../../core/users/model.js';
import { events } from '../../events/table.js';
import { policyHttpRequest } from '../../policies/http.js';
import { evaluateMapping, recordMappingError } from '../../propertymappings/evaluate.js';
import { recordEvent } from '../../events/record.js';
import { ACR_AUTHENTIK_DEFAULT, AMR_MFA, AMR_PASSWORD, AMR_WEBAUTHN } from './constants.js';
import type { LoadedProvider } from './provider-cache.js';

export type UserRow = typeof users.$inferSelect;

/** The claims of an ID token (authentik's `IDToken.to_dict()`): unset members are left out. */
export type IdTokenClaims = Record<string, unknown> & { sub?: string; nonce?: string; at_hash?: string; c_hash?: string };

/** The scheme and host the request came in on (behind trusted proxies, the forwarded ones). */
export function originOf(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}`;
}

/** authentik's `OAuth2Provider.get_issuer`: the root URL (global) or the application's URL (per provider). */
export function issuerOf(provider: LoadedProvider, request: FastifyRequest): string | undefined {
  return issuerAt(provider, originOf(request));
}

/** The issuer as seen from `origin` (`scheme://host`). */
export function issuerAt(provider: LoadedProvider, origin: string): string | undefined {
  if (provider.row.issuerMode === 'global') return `${origin}/`;
  return provider.application ? `${origin}/application/o/${provider.application.slug}/` : undefined;
}

/** The `sub` claim per the provider's `sub_mode`. */
export function subjectOf(services: Services, provider: LoadedProvider, user: UserRow): string {
  switch (provider.row.subMode) {
    case 'user_id':
      return String(user.id);
    case 'user_uuid':
      return user.uuid;
    case 'user_username':
      return user.username;
    case 'user_email':
      return user.email;
    case 'user_upn': {
      const upn = (user.attributes as Record<string, unknown>).upn;
      return typeof upn === 'string' ? upn : userUid(services.installId, user.id);
    }
    default:
      return userUid(services.installId, user.id);
  }
}

/** authentik's `hash_session_key`: the `sid` claim and the grants' `session_id`. */
export function hashSessionKey(sessionKey: string): string {
  return createHash('sha256').update(sessionKey, 'ascii').digest('hex');
}

/** The most recent login of the user: its time is `auth_time`, its method the `amr`. */
export async function lastLogin(services: Services, userId: number): Promise<{ uuid: string; created: Date; context: Record<string, unknown> } | undefined> {
  const [event] = await services.db.select({ uuid: events.eventUuid, created: events.created, context: events.context }).from(events)
    .where(and(eq(events.action, 'login'), sql`${events.user}->>'pk' = ${String(userId)}`))
    .orderBy(desc(events.created)).limit(1);
  return event;
}

/** authentik's `amr` from the login event's method. */
export function amrOf(context: Record<string, unknown> | undefined): string[] | undefined {
  if (!context) return undefined;
  const method = context.auth_method ?? context.method;
  const args = (context.auth_method_args ?? context.method_args ?? {}) as Record<string, unknown>;
  const amr: string[] = [];
  if (method === 'password') amr.push(AMR_PASSWORD);
  if (method === 'auth_webauthn_pwl') amr.push(AMR_WEBAUTHN);
  if (args && typeof args === 'object' && 'mfa_devices' in args) amr.push(AMR_MFA);
  return amr.length ? amr : undefined;
}

/** Deep merge as authentik's `always_merger`: objects merged, lists appended, anything else replaced. */
function merge(target: Record<string, unknown>, source: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(source)) {
    const current = target[key];
    if (Array.isArray(current) && Array.isArray(value)) target[key] = [...current, ...value];
    else if (isPlainObject(current) && isPlainObject(value)) merge(current, value);
    else target[key] = value;
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export interface ClaimsRequest {
  user: UserRow;
  scope: string[];
  request?: FastifyRequest;
  /** What the expressions see as `token`. */
  token?: Record<string, unknown>;
}

/**
 * authentik's `UserInfoView.get_claims`: every scope mapping of the provider whose scope was granted, in scope
 * order, merged. A mapping that fails is recorded and skipped; one that returns anything but a dict is skipped.
 */
export async function scopeClaims(services: Services, provider: LoadedProvider, input: ClaimsRequest): Promise<Record<string, unknown>> {
  const granted = new Set(input.scope);
  const claims: Record<string, unknown> = {};
  for (const mapping of provider.scopes) {
    if (!granted.has(mapping.scopeName)) continue;
    let value: unknown;
    try {
      value = await evaluateMapping(services, mapping, {
        user: input.user,
        httpRequest: input.request ? policyHttpRequest(input.request) : undefined,
        globals: {
          provider: { pk: provider.row.id, name: provider.row.name, client_id: provider.row.clientId, application: provider.application ? { slug: provider.application.slug, name: provider.application.name } : null },
          token: input.token ?? { scope: input.scope },
        },
      });
    } catch (err) {
      await recordMappingError(services, mapping, err as Error, input.user);
      await recordEvent(services, {
        action: 'configuration_error',
        user: input.user,
        request: input.request,
        context: { message: `Failed to evaluate property-mapping: '${mapping.name}'`, provider: provider.row.name, mapping: mapping.name },
      }).catch(() => undefined);
      continue;
    }
    if (!isPlainObject(value)) continue;
    merge(claims, value);
  }
  return claims;
}

export interface IdTokenInput {
  user: UserRow;
  scope: string[];
  expires: Date;
  authTime: Date;
  sessionId?: string | null;
  request?: FastifyRequest;
  /** The login event's context (for `amr`); looked up when not given and a session is involved. */
  loginContext?: Record<string, unknown>;
  nonce?: string | null;
}

/** authentik's `IDToken.new` + `to_dict`. */
export async function buildIdToken(services: Services, provider: LoadedProvider, input: IdTokenInput): Promise<IdTokenClaims> {
  const token: IdTokenClaims = {};
  const iss = input.request ? issuerOf(provider, input.request) : undefined;
  if (iss) token.iss = iss;
  token.sub = subjectOf(services, provider, input.user);
  token.aud = provider.row.clientId;
  token.exp = Math.floor(input.expires.getTime() / 1000);
  token.iat = Math.floor(Date.now() / 1000);
  token.auth_time = Math.floor(input.authTime.getTime() / 1000);
  token.acr = ACR_AUTHENTIK_DEFAULT;
  const amr = amrOf(input.loginContext);
  if (amr) token.amr = amr;
  if (input.nonce) token.nonce = input.nonce;
  if (input.sessionId) token.sid = input.sessionId;
  if (provider.row.includeClaimsInIdToken) {
    Object.assign(token, await scopeClaims(services, provider, { user: input.user, scope: input.scope, request: input.request }));
  }
  return token;
}

/** authentik's `to_access_token`: the ID token's claims with `azp` and a unique `uid`. */
export function accessTokenClaims(provider: LoadedProvider, idToken: IdTokenClaims): Record<string, unknown> {
  return { ...idToken, azp: provider.row.clientId, uid: randomBytes(20).toString('hex') };
}
