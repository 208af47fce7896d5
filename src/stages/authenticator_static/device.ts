import { asc, eq, inArray } from 'drizzle-orm';
import type { ModelDefinition } from '../../api/model.js';
import { deviceViewSets } from '../authenticator/device-api.js';
import { deviceSummary, registerDeviceClass } from '../authenticator/devices.js';
import { staticDevices, staticTokens } from './table.js';
import { spendStaticToken } from './tokens.js';

export type StaticDeviceRow = typeof staticDevices.$inferSelect;

export const staticDeviceModel: ModelDefinition<StaticDeviceRow> = {
  name: 'authentik_stages_authenticator_static.staticdevice',
  verboseName: 'Static Device',
  verboseNamePlural: 'Static Devices',
  table: staticDevices,
  pk: staticDevices.id,
  requestSchema: 'StaticDeviceRequest',
  fields: { name: { column: staticDevices.name } },
  displayName: (row) => row.name,
  async serialize(rows, ctx) {
    const ids = rows.map((row) => row.id);
    const tokens = ids.length
      ? await ctx.services.db.select().from(staticTokens).where(inArray(staticTokens.deviceId, ids)).orderBy(asc(staticTokens.id))
      : [];
    return rows.map((row) => ({
      name: row.name,
      token_set: tokens.filter((token) => token.deviceId === row.id).map((token) => ({ token: token.token })),
      pk: row.id,
    }));
  },
  // The schema's request has only a name: an admin's device is theirs (without codes until a setup stage runs).
  defaults: (_data, ctx) => ({ userId: ctx.principal.id }),
};

export const [staticDeviceViewSet, staticDeviceAdminViewSet] = deviceViewSets(staticDeviceModel, 'static', staticDevices);

registerDeviceClass({
  name: 'static',
  modelName: staticDeviceModel.name,
  label: 'authentik_stages_authenticator_static.StaticDevice',
  verboseName: staticDeviceModel.verboseName,
  verboseNamePlural: staticDeviceModel.verboseNamePlural,
  table: staticDevices,
  async verifyCode(db, userId, code) {
    const deviceId = await spendStaticToken(db, userId, code);
    if (deviceId === undefined) return undefined;
    const [row] = await db.select().from(staticDevices).where(eq(staticDevices.id, deviceId));
    return row && deviceSummary(row);
  },
});
