import { randomBytes } from 'node:crypto';
import type { ModelDefinition } from '../../api/model.js';
import { deviceViewSets } from '../authenticator/device-api.js';
import { registerDeviceClass } from '../authenticator/devices.js';
import { webAuthnDevices } from './table.js';
import { authenticationOptions, verifyAssertion } from './authentication.js';

export type WebAuthnDeviceRow = typeof webAuthnDevices.$inferSelect;

export const webAuthnDeviceModel: ModelDefinition<WebAuthnDeviceRow> = {
  name: 'authentik_stages_authenticator_webauthn.webauthndevice',
  verboseName: 'WebAuthn Device',
  verboseNamePlural: 'WebAuthn Devices',
  table: webAuthnDevices,
  pk: webAuthnDevices.id,
  requestSchema: 'WebAuthnDeviceRequest',
  fields: { name: { column: webAuthnDevices.name } },
  displayName: (row) => row.name,
  serialize: async (rows) => rows.map((row) => ({ pk: row.id, name: row.name, created_on: row.createdOn.toISOString() })),
  // The schema's request has only a name: an admin's device is theirs, with a credential no authenticator holds
  // (it can never be used), as only the setup stage makes real ones.
  defaults: (_data, ctx) => ({ userId: ctx.principal.id, credentialId: randomBytes(32).toString('base64url'), publicKey: '', rpId: '' }),
};

export const [webAuthnDeviceViewSet, webAuthnDeviceAdminViewSet] = deviceViewSets(webAuthnDeviceModel, 'webauthn', webAuthnDevices);

registerDeviceClass({
  name: 'webauthn',
  modelName: webAuthnDeviceModel.name,
  label: 'authentik_stages_authenticator_webauthn.WebAuthnDevice',
  verboseName: webAuthnDeviceModel.verboseName,
  verboseNamePlural: webAuthnDeviceModel.verboseNamePlural,
  table: webAuthnDevices,
  challenge: authenticationOptions,
  verifyResponse: verifyAssertion,
});
