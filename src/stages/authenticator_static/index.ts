import type { DomainModule } from '../../domain.js';
import { stageDomain } from '../../flows/index.js';
import { staticDeviceAdminViewSet, staticDeviceModel, staticDeviceViewSet } from './device.js';
import { staticStage } from './stage.js';

const stageManifest = stageDomain('authenticator_static', staticStage);

/** The static (recovery code) setup stage, and its devices (`/authenticators/static/`, `/authenticators/admin/static/`). */
export const authenticatorStaticStageDomain: DomainModule = {
  ...stageManifest,
  models: [...(stageManifest.models ?? []), staticDeviceModel],
  viewSets: [...(stageManifest.viewSets ?? []), staticDeviceViewSet, staticDeviceAdminViewSet],
};
