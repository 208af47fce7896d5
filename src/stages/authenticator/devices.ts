import { sql } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import { executeRows, type Db } from '../../db/database.js';

/**
 * One of a user's authenticator devices, as the validate stage and `/authenticators/all/` see it, whatever its
 * type (authentik's `Device` base of django-otp).
 */
export interface DeviceSummary {
  pk: number;
  name: string;
  confirmed: boolean;
  lastUsed: Date | null;
}

/** The summary of a device row of any type (they share django-otp's `Device` columns). */
export function deviceSummary(row: { id: number; name: string; confirmed: boolean; lastUsed: Date | null }): DeviceSummary {
  return { pk: row.id, name: row.name, confirmed: row.confirmed, lastUsed: row.lastUsed };
}

/** A device as authentik names it in `auth_method_args` (for the login event and policies): pk, name, app, model. */
export function deviceReference(type: { modelName: string }, device: { pk: number; name: string }): Record<string, unknown> {
  const [app, modelName] = type.modelName.split('.');
  return { pk: device.pk, name: device.name, app, model_name: modelName };
}

/** What a device class's challenge and its answer may use of the flow (the validate stage gives it). */
export interface DeviceChallengeContext {
  db: Db;
  /** `path` as an absolute URL on the host (and scheme) the request came to: WebAuthn scopes credentials to it. */
  absoluteUrl(path: string): string;
  /** The flow plan's context, where a challenge waits for its answer. */
  context: Record<string, unknown>;
  /** The validate stage's `webauthn_user_verification` (`required`, `preferred`, `discouraged`). */
  userVerification: string;
}

/** A device's answer to its challenge was refused; `message` is shown to the user. */
export class DeviceResponseRefused extends Error {}

/**
 * A device type (authentik's device classes: `totp`, `static`, …). Each authenticator stage folder registers its
 * own when imported, so that the validate stage and the device listing work over every type without importing
 * the stage folders' internals.
 */
export interface DeviceClass {
  /** authentik's device class name, as `device_classes` and `device_challenges` use it. */
  name: string;
  /** authentik's model name of the device, e.g. `authentik_stages_authenticator_totp.totpdevice`. */
  modelName: string;
  /** Django's `_meta.label` of the device model (`authentik_stages_authenticator_totp.TOTPDevice`), the API's `type`. */
  label: string;
  verboseName: string;
  verboseNamePlural: string;
  /** The class's device table: it has django-otp's `Device` columns (`id`, `user_id`, `name`, `confirmed`, `last_used`). */
  table: PgTable;
  /**
   * Checks a code against one of the user's confirmed devices of this class; on success marks it used (and
   * spends single-use codes) and returns it.
   */
  verifyCode?(db: Db, userId: number, code: string): Promise<DeviceSummary | undefined>;
  /**
   * The challenge shown for the user's devices of this class (`{}` when a code needs no hint); without a user
   * (`null`: passwordless login), one any device of the class may answer.
   */
  challenge?(ctx: DeviceChallengeContext, userId: number | null): Promise<Record<string, unknown>>;
  /**
   * Checks a non-code answer (the validate response's field named after the class, e.g. `webauthn`) against the
   * challenge shown; returns the device it proves (the user's, unless `userId` is null), marked used, or throws
   * `DeviceResponseRefused`.
   */
  verifyResponse?(ctx: DeviceChallengeContext, userId: number | null, response: Record<string, unknown>): Promise<DeviceSummary & { userId: number }>;
}

const registry = new Map<string, DeviceClass>();

export function registerDeviceClass(deviceClass: DeviceClass): void {
  registry.set(deviceClass.name, deviceClass);
}

export function deviceClass(name: string): DeviceClass | undefined {
  return registry.get(name);
}

/** Every registered device class, in registration order. */
export function deviceClasses(): DeviceClass[] {
  return [...registry.values()];
}

/**
 * A user's confirmed devices of the given classes, each class's by pk, in the order the classes are given: one
 * query whatever the number of classes (every login of a user without devices passes through here).
 */
export async function confirmedDevicesOf(db: Db, classes: DeviceClass[], userId: number): Promise<{ deviceClass: DeviceClass; device: DeviceSummary }[]> {
  if (!classes.length) return [];
  const selects = classes.map((type, index) => sql`select ${index}::int as class_index, id, name, confirmed, last_used from ${type.table} where user_id = ${userId} and confirmed`);
  const rows = await executeRows<{ class_index: number; id: number; name: string; confirmed: boolean; last_used: Date | string | null }>(
    db, sql`${sql.join(selects, sql` union all `)} order by class_index, id`,
  );
  return rows.map((row) => ({
    deviceClass: classes[row.class_index],
    device: deviceSummary({ id: row.id, name: row.name, confirmed: row.confirmed, lastUsed: row.last_used === null ? null : new Date(row.last_used) }),
  }));
}
