import type { DomainModule } from '../domain.js';
import type { Json, ModelDefinition } from '../api/model.js';
import type { StageType } from './stage.js';
import { flowModel, flowStageBindingModel, stageModel } from './models.js';
import { allStagesViewSet, flowStageBindingViewSet, flowViewSet } from './api.js';
import { flowRoutes } from './routes.js';
import { backgroundRoutes } from './background.js';
import { registerFlowUsedBy } from './used-by.js';

registerFlowUsedBy(flowModel as unknown as ModelDefinition<Json>);

export const flowsDomain = {
  name: 'flows',
  models: [flowModel, stageModel, flowStageBindingModel],
  viewSets: [flowViewSet, flowStageBindingViewSet, allStagesViewSet],
  routes(app, services, makeContext) {
    flowRoutes(app, services, makeContext);
    backgroundRoutes(app, services, makeContext);
  },
} satisfies DomainModule;

/** The manifest of a stage folder: its model, its `/stages/<name>/` viewset and its executor logic. */
export function stageDomain(name: string, type: StageType<any>): DomainModule {
  return { name: `stages/${name}`, models: [type.model], viewSets: type.viewSet ? [type.viewSet] : [], stages: [type] };
}
