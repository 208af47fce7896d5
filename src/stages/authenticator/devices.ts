import type { Db } from '../../db/database.js';

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
  /** The user's confirmed devices of this class, ordered by pk. */
  devicesOf(db: Db, userId: number): Promise<DeviceSummary[]>;
  /**
   * Checks a code against one of the user's confirmed devices of this class; on success marks it used (and
   * spends single-use codes) and returns it.
   */
  verifyCode?(db: Db, userId: number, code: string): Promise<DeviceSummary | undefined>;
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
