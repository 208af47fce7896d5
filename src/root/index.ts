import type { DomainModule } from '../domain.js';
import { rootRoutes } from './api.js';

export const rootDomain = {
  name: 'root',
  routes: rootRoutes,
} satisfies DomainModule;
