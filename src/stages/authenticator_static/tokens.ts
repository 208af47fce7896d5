import { randomInt } from 'node:crypto';
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../../db/database.js';
import { isThrottled } from '../authenticator/throttling.js';
import { staticDevices, staticTokens } from './table.js';
import { secretsEqual } from '../../lib/secrets.js';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
/** The token column's size (django-otp's `StaticToken.token`). */
export const MAX_TOKEN_LENGTH = 16;

/** A random code of letters and digits, as authentik's `generate_id`. */
export function newStaticToken(length: number): string {
  let out = '';
  for (let i = 0; i < length; i += 1) out += ALPHABET[randomInt(ALPHABET.length)];
  return out;
}

/**
 * Spends one of the user's codes: finds it among the tokens of their confirmed static devices that are not
 * throttled (compared in constant time) and deletes it; the delete decides, so a code is accepted once even by
 * concurrent requests. A wrong code throttles the devices it was tried on. Returns the device the code belonged to.
 */
export async function spendStaticToken(db: Db, userId: number, code: string): Promise<number | undefined> {
  const candidate = code.trim();
  const devices = (await db.select().from(staticDevices)
    .where(and(eq(staticDevices.userId, userId), eq(staticDevices.confirmed, true)))).filter((device) => !isThrottled(device));
  if (!devices.length) return undefined;
  const ids = devices.map((d) => d.id);
  const tokens = await db.select().from(staticTokens).where(inArray(staticTokens.deviceId, ids)).orderBy(asc(staticTokens.id));
  const match = candidate ? tokens.find((token) => secretsEqual(token.token, candidate)) : undefined;
  const spent = match ? await db.delete(staticTokens).where(eq(staticTokens.id, match.id)).returning({ id: staticTokens.id }) : [];
  if (!match || !spent.length) {
    await db.update(staticDevices).set({ throttlingFailureCount: sql`${staticDevices.throttlingFailureCount} + 1`, throttlingFailureTimestamp: new Date() })
      .where(inArray(staticDevices.id, ids));
    return undefined;
  }
  await db.update(staticDevices).set({ lastUsed: new Date(), throttlingFailureCount: 0, throttlingFailureTimestamp: null }).where(eq(staticDevices.id, match.deviceId));
  return match.deviceId;
}
