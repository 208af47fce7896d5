import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Principal, Services } from './context.js';
import type { ContextFactory } from './viewset.js';
import { authenticate } from './auth.js';
import { MethodNotAllowed, PermissionDenied } from './errors.js';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
const METHODS: Method[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

/** Who may call an endpoint: superusers, any authenticated user, or anyone (DRF's `AllowAny`). */
export type EndpointAccess = 'superuser' | 'authenticated' | 'public';

/** What an endpoint's handler gets; `principal` is absent only on public endpoints called anonymously. */
export interface EndpointContext {
  services: Services;
  request: FastifyRequest;
  reply: FastifyReply;
  principal?: Principal;
}

export interface Endpoint {
  /** Full path under `/api/v3`, with slashes: `/admin/version/`. */
  path: string;
  access: EndpointAccess;
  /** Handlers by method; a returned `undefined` answers 204, a returned `reply` has been sent by the handler. */
  methods: Partial<Record<Method, (ctx: EndpointContext) => Promise<unknown>>>;
}

/**
 * A view that is not a model's (DRF's `APIView`): authentik's admin and root endpoints. As in DRF, the caller is
 * authenticated and checked before the method is looked at, so a refused caller gets 403 even for a method the
 * view lacks, and a wrong token is refused even where anonymous callers are welcome.
 */
export function registerEndpoint(app: FastifyInstance, services: Services, makeContext: ContextFactory, endpoint: Endpoint): void {
  async function contextOf(request: FastifyRequest, reply: FastifyReply): Promise<EndpointContext> {
    if (endpoint.access === 'public') return { services, request, reply, principal: await authenticate(services, request) };
    const ctx = await makeContext(request, reply);
    if (endpoint.access === 'superuser' && !ctx.principal.isSuperuser) throw new PermissionDenied();
    return ctx;
  }

  for (const method of METHODS) {
    const handler = endpoint.methods[method];
    app.route({
      method,
      url: `/api/v3${endpoint.path}`,
      handler: async (request, reply) => {
        const ctx = await contextOf(request, reply);
        if (!handler) throw new MethodNotAllowed(method);
        const result = await handler(ctx);
        // A handler that sent the reply itself returns it, and awaiting a reply waits for the response to end and
        // gives undefined: it is the reply's state, not the value, that tells it apart from an empty answer.
        if (result === reply || (result === undefined && reply.sent)) return reply;
        if (result === undefined) return reply.code(204).send();
        return result;
      },
    });
  }
}
