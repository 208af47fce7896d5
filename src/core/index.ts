import type { DomainModule } from '../domain.js';
import { userModel } from './users/model.js';
import { userViewSet } from './users/api.js';
import { groupModel } from './groups/model.js';
import { groupViewSet } from './groups/api.js';
import { tokenModel } from './tokens/model.js';
import { tokenViewSet } from './tokens/api.js';
import { tenantModel } from './tenants/model.js';
import { tenantRoutes, tenantViewSet } from './tenants/api.js';
import { applicationModel } from './applications/model.js';
import { applicationViewSet } from './applications/api.js';
import { iconRoutes } from './applications/icons.js';
import { authenticatedSessionModel } from './sessions/model.js';
import { authenticatedSessionViewSet } from './sessions/api.js';
import { userConsentModel } from './consent/model.js';
import { userConsentViewSet } from './consent/api.js';
import { transactionalRoutes } from './transactional/api.js';
import { bootstrapCore } from './bootstrap.js';
import { recoveryRoutes } from './recovery.js';
import { startExpiredCleanup } from './expired.js';

export const coreDomain = {
  name: 'core',
  models: [userModel, groupModel, tokenModel, tenantModel, applicationModel, authenticatedSessionModel, userConsentModel],
  viewSets: [userViewSet, groupViewSet, tokenViewSet, tenantViewSet, applicationViewSet, authenticatedSessionViewSet, userConsentViewSet],
  bootstrap: bootstrapCore,
  start: startExpiredCleanup,
  routes(app, services, makeContext) {
    recoveryRoutes(app, services);
    tenantRoutes(app, services, makeContext);
    iconRoutes(app, services, makeContext);
    transactionalRoutes(app, services, makeContext);
  },
} satisfies DomainModule;
