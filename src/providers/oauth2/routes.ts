import type { FastifyInstance } from 'fastify';
import type { Services } from '../../api/context.js';
import { tokenView } from './views/token.js';
import { discoveryView, jwksView } from './views/discovery.js';
import { introspectView, revokeView, userinfoView } from './views/resource.js';
import { deviceAuthorizationView, deviceEntryView } from './views/device.js';
import { endSessionView } from './views/end-session.js';
import { authorizeView } from './views/authorize.js';
import { corsAllow, noStore } from './http.js';

/** authentik's OAuth2 URLs (`/application/o/…`), outside the API: no API authentication, no CSRF. */
export function oauth2Routes(app: FastifyInstance, services: Services): void {
  const authorize = authorizeView(services);
  app.get('/application/o/authorize/', authorize);
  app.post('/application/o/authorize/', authorize);
  app.post('/application/o/token/', (request, reply) => tokenView(services, request, reply));
  app.options('/application/o/token/', (request, reply) => {
    corsAllow(request, reply, [String(request.headers.origin ?? '')]);
    return noStore(reply).code(200).send({});
  });
  const userinfo = userinfoView(services);
  app.get('/application/o/userinfo/', userinfo);
  app.post('/application/o/userinfo/', userinfo);
  app.post('/application/o/introspect/', introspectView(services));
  app.post('/application/o/revoke/', revokeView(services));
  app.post('/application/o/device/', deviceAuthorizationView(services));
  const deviceEntry = deviceEntryView(services);
  app.get('/device', deviceEntry);
  app.post('/device', deviceEntry);
  const endSession = endSessionView(services);
  app.get('/application/o/:slug/end-session/', endSession);
  app.post('/application/o/:slug/end-session/', endSession);
  app.get('/application/o/:slug/jwks/', jwksView(services));
  app.get('/application/o/:slug/.well-known/openid-configuration', discoveryView(services));
  app.get('/application/o/:slug/.well-known/openid-configuration/', discoveryView(services));
}
