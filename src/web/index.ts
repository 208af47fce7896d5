import type { DomainModule } from '../domain.js';
import { webRoutes } from './routes.js';

/** The web UI: authentik's flow, user and admin interfaces (built from web/ into web/dist) and their assets. */
export const webDomain = {
  name: 'web',
  routes: webRoutes,
} satisfies DomainModule;
