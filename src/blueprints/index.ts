import type { DomainModule } from '../domain.js';
import { blueprintInstanceModel } from './model.js';
import { blueprintInstanceViewSet } from './api.js';
import { startBlueprintDiscovery } from './tasks.js';
import { flowTransferRoutes } from './flow-routes.js';

export const blueprintsDomain = {
  name: 'blueprints',
  models: [blueprintInstanceModel],
  viewSets: [blueprintInstanceViewSet],
  routes: flowTransferRoutes,
  start: startBlueprintDiscovery,
} satisfies DomainModule;
