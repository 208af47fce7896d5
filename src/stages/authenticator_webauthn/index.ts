import type { DomainModule } from '../../domain.js';
import { stageDomain } from '../../flows/index.js';
import { webAuthnDeviceAdminViewSet, webAuthnDeviceModel, webAuthnDeviceViewSet } from './device.js';
import { webAuthnStage } from './stage.js';

const stageManifest = stageDomain('authenticator_webauthn', webAuthnStage);

/** The WebAuthn setup stage, and the credentials it enrolls (`/authenticators/webauthn/`, `/authenticators/admin/webauthn/`). */
export const authenticatorWebAuthnStageDomain: DomainModule = {
  ...stageManifest,
  models: [...(stageManifest.models ?? []), webAuthnDeviceModel],
  viewSets: [...(stageManifest.viewSets ?? []), webAuthnDeviceViewSet, webAuthnDeviceAdminViewSet],
};
