import type { DomainModule } from '../domain.js';
import { adminRoutes } from './api.js';
import { prefillSystemTasks } from './tasks.js';

export const adminDomain = {
  name: 'admin',
  routes: adminRoutes,
  // Tasks are declared when their modules load, so all of them are known before any bootstrap runs.
  bootstrap: (services) => prefillSystemTasks(services.db),
} satisfies DomainModule;
