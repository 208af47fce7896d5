import type { DomainModule } from '../../domain.js';
import { stageDomain } from '../../flows/index.js';
import { totpDeviceAdminViewSet, totpDeviceModel, totpDeviceViewSet } from './device.js';
import { totpStage } from './stage.js';

const stageManifest = stageDomain('authenticator_totp', totpStage);

/** The TOTP setup stage, and the TOTP devices it enrolls (`/authenticators/totp/`, `/authenticators/admin/totp/`). */
export const authenticatorTotpStageDomain: DomainModule = {
  ...stageManifest,
  models: [...(stageManifest.models ?? []), totpDeviceModel],
  viewSets: [...(stageManifest.viewSets ?? []), totpDeviceViewSet, totpDeviceAdminViewSet],
};
