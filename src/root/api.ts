import type { FastifyInstance } from 'fastify';
import type { Services } from '../api/context.js';
import type { ContextFactory } from '../api/viewset.js';
import { registerEndpoint } from '../api/endpoint.js';
import { publicConfig } from './config.js';
import { negotiate, schemaText } from './schema.js';

function lastValue(value: unknown): string | undefined {
  if (Array.isArray(value)) return value.length ? String(value[value.length - 1]) : undefined;
  return value === undefined ? undefined : String(value);
}

/** `/root/config/` and `/schema/`: served to anyone, as authentik does (a token given must still be valid). */
export function rootRoutes(app: FastifyInstance, services: Services, makeContext: ContextFactory): void {
  registerEndpoint(app, services, makeContext, {
    path: '/root/config/',
    access: 'public',
    methods: { GET: async (ctx) => publicConfig(ctx.services.config) },
  });
  registerEndpoint(app, services, makeContext, {
    path: '/schema/',
    access: 'public',
    methods: {
      // `lang` would translate descriptions; the schema here is the English one.
      GET: async (ctx) => {
        const query = ctx.request.query as Record<string, unknown>;
        const rendering = negotiate(lastValue(query.format), ctx.request.headers.accept);
        return ctx.reply.type(`${rendering.mediaType}; charset=utf-8`).send(schemaText(rendering.format));
      },
    },
  });
}
