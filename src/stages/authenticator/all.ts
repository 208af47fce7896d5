import type { Json } from '../../api/model.js';
import { ValidationError } from '../../api/errors.js';
import type { Db } from '../../db/database.js';
import type { Endpoint } from '../../api/endpoint.js';
import { confirmedDevicesOf, deviceClasses } from './devices.js';

/** authentik's `DeviceSerializer`: a user's devices of every type, as the user settings list them. */
async function devicesOfEveryType(db: Db, userId: number): Promise<Json[]> {
  return (await confirmedDevicesOf(db, deviceClasses(), userId)).map(({ deviceClass: type, device }) => ({
    verbose_name: type.verboseName,
    verbose_name_plural: type.verboseNamePlural,
    meta_model_name: type.modelName,
    pk: device.pk,
    name: device.name,
    type: type.label,
    confirmed: device.confirmed,
  }));
}

/** `/authenticators/all/`: the caller's own devices. */
export const allDevicesEndpoint: Endpoint = {
  path: '/authenticators/all/',
  access: 'authenticated',
  methods: { GET: async (ctx) => devicesOfEveryType(ctx.services.db, ctx.principal!.id) },
};

/** `/authenticators/admin/all/?user=<pk>`: a user's devices, for superusers. */
export const adminAllDevicesEndpoint: Endpoint = {
  path: '/authenticators/admin/all/',
  access: 'superuser',
  methods: {
    GET: async (ctx) => {
      const user = (ctx.request.query as Record<string, unknown>).user;
      const value = Array.isArray(user) ? user[user.length - 1] : user;
      if (value === undefined || value === '') throw ValidationError.field('user', 'This field is required.');
      if (!/^\d+$/.test(String(value))) throw ValidationError.field('user', 'A valid integer is required.');
      return devicesOfEveryType(ctx.services.db, Number(value));
    },
  },
};
