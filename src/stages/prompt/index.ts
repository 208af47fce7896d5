import type { DomainModule } from '../../domain.js';
import { stageDomain } from '../../flows/index.js';
import { promptModel } from './models.js';
import { promptViewSet } from './api.js';
import { promptStage } from './stage.js';

const stageManifest = stageDomain('prompt', promptStage);

/** The prompt stage, and the prompts its stages share (`/stages/prompt/prompts/`). */
export const promptStageDomain: DomainModule = {
  ...stageManifest,
  models: [...(stageManifest.models ?? []), promptModel],
  viewSets: [...(stageManifest.viewSets ?? []), promptViewSet],
};
