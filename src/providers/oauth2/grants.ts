import { randomBytes, randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import type { FastifyRequest } from 'fastify';
import type { Services } from '../../api/context.js';
import type { Db } from '../../db/database.js';
import { accessTokens, authorizationCodes, refreshTokens } from './table.js';
import { accessTokenClaims, buildIdToken, type IdTokenClaims, type UserRow } from './id-token.js';
import { encodeJwt, encodeJwtShared, halfHash } from './jwt.js';
import { durationMs } from './duration.js';
import type { LoadedProvider } from './provider-cache.js';

export type AccessTokenRow = typeof accessTokens.$inferSelect;
export type RefreshTokenRow = typeof refreshTokens.$inferSelect;
export type AuthorizationCodeRow = typeof authorizationCodes.$inferSelect;

/** What every grant records: who, which scopes, since when, from which session, in which chain. */
export interface GrantInput {
  user: UserRow;
  scope: string[];
  authTime: Date;
  sessionId?: string | null;
  chain?: string | null;
  request?: FastifyRequest;
  nonce?: string | null;
  loginContext?: Record<string, unknown>;
}

export function newChain(): string {
  return randomUUID();
}

export interface IssuedAccessToken {
  row: AccessTokenRow;
  /** The access token itself: a JWT signed by the provider. */
  token: string;
  idToken: IdTokenClaims;
  expiresIn: number;
}

/**
 * Creates an access token (authentik's `AccessToken` with `id_token` set): an ID token for the grant, signed with
 * `azp` and `uid` added as the access token, stored with the ID token's claims.
 */
export async function issueAccessToken(services: Services, provider: LoadedProvider, input: GrantInput, extra: Partial<IdTokenClaims> = {}, db: Db = services.db): Promise<IssuedAccessToken> {
  const validity = durationMs(provider.row.accessTokenValidity);
  const expires = new Date(Date.now() + validity);
  const idToken = { ...(await buildIdToken(services, provider, { ...input, expires })), ...extra };
  if (input.nonce) idToken.nonce = input.nonce;
  const token = await encodeJwt(provider.signer, accessTokenClaims(provider, idToken), provider.encryption);
  const row = await insertAccessToken(db, {
    providerId: provider.row.id,
    userId: input.user.id,
    scope: input.scope.join(' '),
    authTime: input.authTime,
    sessionId: input.sessionId ?? null,
    chain: input.chain ?? null,
    expires,
    token,
    idToken: JSON.stringify(idToken),
  });
  return { row, token, idToken, expiresIn: Math.floor(validity / 1000) };
}

interface PendingInsert {
  values: typeof accessTokens.$inferInsert;
  resolve(row: AccessTokenRow): void;
  reject(err: unknown): void;
}

const pendingInserts = new Map<Db, PendingInsert[]>();

/** The column defaults of an access token row, for rows built from what was inserted. */
const ACCESS_TOKEN_DEFAULTS = { revoked: false, scope: '', sessionId: null, chain: null, expiring: true, idToken: '{}' } satisfies Partial<AccessTokenRow>;

/**
 * Access tokens issued at the same moment are stored with one statement (a group commit): under load, machine
 * grants arrive together and a row each would cost a round trip each. The caller still gets its row only once it
 * is stored, so a token is never handed out before introspection can find it.
 */
function insertAccessToken(db: Db, values: typeof accessTokens.$inferInsert): Promise<AccessTokenRow> {
  return new Promise((resolve, reject) => {
    let queue = pendingInserts.get(db);
    if (!queue) {
      queue = [];
      pendingInserts.set(db, queue);
      setImmediate(() => void flushInserts(db));
    }
    queue.push({ values, resolve, reject });
  });
}

async function flushInserts(db: Db): Promise<void> {
  const batch = pendingInserts.get(db) ?? [];
  pendingInserts.delete(db);
  try {
    // Only the keys come back: the tokens are kilobytes each, and PostgreSQL returns the rows of an
    // `INSERT … VALUES` in the order given (Django's bulk_create relies on it too).
    const ids = await db.insert(accessTokens).values(batch.map((p) => p.values)).returning({ id: accessTokens.id });
    batch.forEach((pending, i) => pending.resolve({ ...ACCESS_TOKEN_DEFAULTS, ...pending.values, id: ids[i].id } as AccessTokenRow));
  } catch {
    // One bad row (its provider deleted meanwhile) must not fail the others: store them one by one.
    for (const pending of batch) {
      db.insert(accessTokens).values(pending.values).returning().then(([row]) => pending.resolve(row), pending.reject);
    }
  }
}

/** The signed ID token of an issued access token; identical claims issued in the same second share a signature. */
export function signIdToken(provider: LoadedProvider, claims: IdTokenClaims): Promise<string> {
  return encodeJwtShared(provider.signer, claims, provider.encryption);
}

export function atHash(token: string): string {
  return halfHash(token);
}

export async function issueRefreshToken(services: Services, provider: LoadedProvider, input: GrantInput, idToken: IdTokenClaims, db: Db = services.db): Promise<RefreshTokenRow> {
  const expires = new Date(Date.now() + durationMs(provider.row.refreshTokenValidity));
  const [row] = await db.insert(refreshTokens).values({
    providerId: provider.row.id,
    userId: input.user.id,
    scope: input.scope.join(' '),
    authTime: input.authTime,
    sessionId: input.sessionId ?? null,
    chain: input.chain ?? null,
    expires,
    // authentik's `generate_id(128)`-length random token.
    token: randomBytes(72).toString('base64url').slice(0, 96),
    idToken: JSON.stringify({ ...idToken, exp: Math.floor(expires.getTime() / 1000) }),
  }).returning();
  return row;
}

/** Revokes every token of a chain (a replayed code, a reused refresh token). */
export async function revokeChain(db: Db, chain: string): Promise<void> {
  await Promise.all([
    db.update(accessTokens).set({ revoked: true }).where(eq(accessTokens.chain, chain)),
    db.update(refreshTokens).set({ revoked: true }).where(eq(refreshTokens.chain, chain)),
    db.update(authorizationCodes).set({ revoked: true }).where(eq(authorizationCodes.chain, chain)),
  ]);
}

export function isExpired(row: { expires: Date; expiring: boolean }): boolean {
  return row.expiring && row.expires.getTime() <= Date.now();
}

/** An access token by its value, unless revoked or expired. */
export async function findAccessToken(db: Db, token: string, providerId?: number): Promise<AccessTokenRow | undefined> {
  if (!token) return undefined;
  const [row] = await db.select().from(accessTokens)
    .where(providerId === undefined ? eq(accessTokens.token, token) : and(eq(accessTokens.token, token), eq(accessTokens.providerId, providerId))).limit(1);
  if (!row || row.revoked || isExpired(row)) return undefined;
  return row;
}

/** A refresh token by its value (revoked or not: reuse is a signal), for `providerId` only. */
export async function findRefreshToken(db: Db, token: string, providerId: number): Promise<RefreshTokenRow | undefined> {
  if (!token || token.length > 255) return undefined;
  const [row] = await db.select().from(refreshTokens).where(and(eq(refreshTokens.token, token), eq(refreshTokens.providerId, providerId))).limit(1);
  return row;
}

/** Revokes a token of a provider by value (RFC 7009): access or refresh token. */
export async function revokeTokenValue(db: Db, token: string, providerId: number): Promise<boolean> {
  const access = await db.update(accessTokens).set({ revoked: true })
    .where(and(eq(accessTokens.token, token), eq(accessTokens.providerId, providerId))).returning({ id: accessTokens.id });
  if (access.length) return true;
  if (token.length > 255) return false;
  const refresh = await db.update(refreshTokens).set({ revoked: true })
    .where(and(eq(refreshTokens.token, token), eq(refreshTokens.providerId, providerId))).returning({ id: refreshTokens.id });
  return refresh.length > 0;
}

