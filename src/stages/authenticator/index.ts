import type { DomainModule } from '../../domain.js';
import { registerEndpoint } from '../../api/endpoint.js';
import { adminAllDevicesEndpoint, allDevicesEndpoint } from './all.js';

/** What the authenticator stages share: the listing of a user's devices of every type. */
export const authenticatorsDomain: DomainModule = {
  name: 'stages/authenticator',
  routes(app, services, makeContext) {
    registerEndpoint(app, services, makeContext, allDevicesEndpoint);
    registerEndpoint(app, services, makeContext, adminAllDevicesEndpoint);
  },
};
