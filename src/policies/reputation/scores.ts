import { and, gt, lte, or, eq, sql, type SQL } from 'drizzle-orm';
import type { Services } from '../../api/context.js';
import { reputations } from './table.js';

/** The address authentik uses when a request has none. */
export const UNKNOWN_IP = '255.255.255.255';

/**
 * Adds `amount` to the score of (identifier, ip), creating it at `amount`; each change pushes its expiry out by
 * `AUTHENTIK_REPUTATION__EXPIRY` seconds. One statement, so concurrent logins cannot lose an update.
 */
export async function updateScore(services: Services, ip: string | undefined, identifier: string, amount: number): Promise<void> {
  const expires = new Date(Date.now() + services.config.reputation.expiry * 1000);
  const address = ip || UNKNOWN_IP;
  await services.db.insert(reputations).values({ identifier, ip: address, score: amount, expires })
    .onConflictDoUpdate({
      target: [reputations.identifier, reputations.ip],
      set: { score: sql`${reputations.score} + ${amount}`, expires, updated: new Date() },
    });
  services.log.debug({ amount, for_user: identifier, for_ip: address }, 'Updated score');
}

/** A failed login (wrong password) for `username` from `ip`: −1, as authentik's `user_login_failed` handler. */
export function loginFailed(services: Services, ip: string | undefined, username: string): Promise<void> {
  return updateScore(services, ip, username, -1);
}

/** An identification stage that found nobody for `identifier`: −1, as authentik's `identification_failed` handler. */
export function identificationFailed(services: Services, ip: string | undefined, identifier: string): Promise<void> {
  return updateScore(services, ip, identifier, -1);
}

/** A successful login: +1, as authentik's `user_logged_in` handler. */
export function loginSucceeded(services: Services, ip: string | undefined, username: string): Promise<void> {
  return updateScore(services, ip, username, 1);
}

/** The summed score of live entries matching the IP and/or the identifier. */
export async function totalScore(services: Services, match: { ip?: string; identifier?: string }): Promise<number> {
  const conditions: SQL[] = [];
  if (match.ip !== undefined) conditions.push(eq(reputations.ip, match.ip));
  if (match.identifier !== undefined) conditions.push(eq(reputations.identifier, match.identifier));
  if (!conditions.length) return 0;
  const [row] = await services.db.select({ total: sql<string | null>`sum(${reputations.score})` }).from(reputations)
    .where(and(or(...conditions), gt(reputations.expires, new Date())));
  return Number(row?.total ?? 0);
}

/** Removes expired scores (the periodic cleanup authentik runs for expiring models). */
export async function deleteExpiredScores(services: Services): Promise<number> {
  const deleted = await services.db.delete(reputations).where(and(eq(reputations.expiring, true), lte(reputations.expires, new Date())))
    .returning({ id: reputations.reputationUuid });
  return deleted.length;
}
