import { randomBytes } from 'node:crypto';
import { and, eq, lt, sql } from 'drizzle-orm';
import { Secret, TOTP } from 'otpauth';
import type { Db } from '../../db/database.js';
import { isThrottled } from '../authenticator/throttling.js';
import { totpDevices } from './table.js';

export type TotpDeviceRow = typeof totpDevices.$inferSelect;

/** A new shared secret: 20 random bytes, hex encoded, as django-otp's `default_key`. */
export function newTotpKey(): string {
  return randomBytes(20).toString('hex');
}

function totpOf(device: Pick<TotpDeviceRow, 'key' | 'digits' | 'step'>, issuer = '', label = 'OTPAuth'): TOTP {
  return new TOTP({ issuer, label, algorithm: 'SHA1', digits: device.digits, period: device.step, secret: Secret.fromHex(device.key) });
}

/**
 * The `otpauth://totp/<issuer>:<username>?secret=…` URI authenticator apps read from the QR code; authentik names
 * the tenant's branding title as issuer.
 */
export function totpConfigUrl(device: Pick<TotpDeviceRow, 'key' | 'digits' | 'step'>, issuer: string, username: string): string {
  // The label's `issuer:` prefix is split at the first colon by apps: an issuer may not contain one.
  return totpOf(device, issuer.replace(/:/g, ''), username).toString();
}

/** The time step a code matches (within the device's tolerance), or undefined. */
export function matchingStep(device: Pick<TotpDeviceRow, 'key' | 'digits' | 'step' | 'tolerance'>, code: string, now = Date.now()): number | undefined {
  const token = code.trim();
  if (!/^\d+$/.test(token)) return undefined;
  // A code sent as a JSON integer lost its leading zeros.
  const padded = token.padStart(device.digits, '0');
  if (padded.length !== device.digits) return undefined;
  const delta = totpOf(device).validate({ token: padded, timestamp: now, window: device.tolerance });
  if (delta === null) return undefined;
  return Math.floor(now / 1000 / device.step) + delta;
}

/**
 * Checks a code against a stored device and, when it matches a time step later than the last accepted one,
 * records that step and the use in one conditional update: a code is accepted once, even by concurrent requests.
 * A throttled device refuses every code; a wrong code throttles it longer.
 */
export async function verifyTotpDevice(db: Db, device: TotpDeviceRow, code: string): Promise<boolean> {
  if (isThrottled(device)) return false;
  const step = matchingStep(device, code);
  if (step !== undefined && step > device.lastT) {
    const updated = await db.update(totpDevices).set({ lastT: step, lastUsed: new Date(), throttlingFailureCount: 0, throttlingFailureTimestamp: null })
      .where(and(eq(totpDevices.id, device.id), lt(totpDevices.lastT, step))).returning({ id: totpDevices.id });
    if (updated.length === 1) return true;
  }
  await db.update(totpDevices).set({ throttlingFailureCount: sql`${totpDevices.throttlingFailureCount} + 1`, throttlingFailureTimestamp: new Date() })
    .where(eq(totpDevices.id, device.id));
  return false;
}
