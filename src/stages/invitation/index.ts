import type { DomainModule } from '../../domain.js';
import { stageDomain } from '../../flows/index.js';
import { invitationModel, invitationViewSet } from './models.js';
import { invitationStage } from './stage.js';

const stageManifest = stageDomain('invitation', invitationStage);

/** The invitation stage, and the invitations it accepts (`/stages/invitation/invitations/`). */
export const invitationStageDomain: DomainModule = {
  ...stageManifest,
  models: [...(stageManifest.models ?? []), invitationModel],
  viewSets: [...(stageManifest.viewSets ?? []), invitationViewSet],
};
