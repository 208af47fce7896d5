import { and, asc, eq } from 'drizzle-orm';
import type { ModelDefinition } from '../../api/model.js';
import { deviceViewSets } from '../authenticator/device-api.js';
import { deviceSummary, registerDeviceClass } from '../authenticator/devices.js';
import type { Db } from '../../db/database.js';
import { totpDevices } from './table.js';
import { newTotpKey, verifyTotpDevice, type TotpDeviceRow } from './totp.js';

export const totpDeviceModel: ModelDefinition<TotpDeviceRow> = {
  name: 'authentik_stages_authenticator_totp.totpdevice',
  verboseName: 'TOTP Device',
  verboseNamePlural: 'TOTP Devices',
  table: totpDevices,
  pk: totpDevices.id,
  requestSchema: 'TOTPDeviceRequest',
  fields: { name: { column: totpDevices.name } },
  displayName: (row) => row.name,
  serialize: async (rows) => rows.map((row) => ({ name: row.name, pk: row.id })),
  // The schema's request has only a name: an admin's device is theirs, with a fresh secret.
  defaults: (_data, ctx) => ({ userId: ctx.principal.id, key: newTotpKey() }),
};

export const [totpDeviceViewSet, totpDeviceAdminViewSet] = deviceViewSets(totpDeviceModel, 'totp', totpDevices);

function confirmedDevices(db: Db, userId: number): Promise<TotpDeviceRow[]> {
  return db.select().from(totpDevices).where(and(eq(totpDevices.userId, userId), eq(totpDevices.confirmed, true))).orderBy(asc(totpDevices.id));
}

registerDeviceClass({
  name: 'totp',
  modelName: totpDeviceModel.name,
  label: 'authentik_stages_authenticator_totp.TOTPDevice',
  verboseName: totpDeviceModel.verboseName,
  verboseNamePlural: totpDeviceModel.verboseNamePlural,
  table: totpDevices,
  async verifyCode(db, userId, code) {
    for (const row of await confirmedDevices(db, userId)) {
      if (await verifyTotpDevice(db, row, code)) return deviceSummary(row);
    }
    return undefined;
  },
});
