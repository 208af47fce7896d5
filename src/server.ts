import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import Fastify, { type FastifyServerFactory, LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import type { Services } from './api/context.js';
import { ApiError } from './api/errors.js';
import { contextFactory } from './api/auth.js';
import { registerViewSet } from './api/viewset.js';
import { models } from './api/registry.js';
import { domains } from './domains.js';
import { describeError } from './lib/errors.js';

let registered = false;

/** Puts every domain's models in the registry once per process. */
export function registerModels(): void {
  if (registered) return;
  registered = true;
  for (const domain of domains) for (const model of domain.models ?? []) models.register(model);
  // A model without a request schema of its own writes with its viewset's (blueprints write through the model).
  for (const domain of domains) {
    for (const viewSet of domain.viewSets ?? []) viewSet.model.requestSchema ??= viewSet.requestSchema;
  }
}

function errorBody(error: FastifyError): { status: number; body: Record<string, unknown> } {
  if (error instanceof ApiError) return { status: error.status, body: error.body };
  if (error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error instanceof SyntaxError) {
    return { status: 400, body: { detail: `JSON parse error - ${error.message}` } };
  }
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return { status: 413, body: { detail: 'Request body is too large.' } };
  if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    return { status: 415, body: { detail: 'Unsupported media type in request.' } };
  }
  if (error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') return { status: 400, body: { detail: 'JSON parse error - empty body' } };
  if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
    return { status: error.statusCode, body: { detail: error.message } };
  }
  return { status: 500, body: { detail: 'Internal server error.' } };
}

/**
 * The node:http server fastify would make (same timeouts), with the domains' fast paths tried before fastify's
 * handler: a fast path answers a few hot documents without routing, hooks or a request object.
 */
function serverWithFastPaths(fastPaths: ((req: IncomingMessage, res: ServerResponse) => boolean)[]): FastifyServerFactory {
  return (handler, options) => {
    const server = createServer((req, res) => {
      for (const fastPath of fastPaths) if (fastPath(req, res)) return;
      handler(req, res);
    });
    server.keepAliveTimeout = Number(options.keepAliveTimeout);
    server.requestTimeout = Number(options.requestTimeout);
    server.setTimeout(Number(options.connectionTimeout));
    if (Number(options.maxRequestsPerSocket) > 0) server.maxRequestsPerSocket = Number(options.maxRequestsPerSocket);
    return server;
  };
}

export async function buildServer(services: Services): Promise<FastifyInstance> {
  registerModels();
  const fastPaths = domains.flatMap((domain) => (domain.fastPath ? [domain.fastPath.bind(domain)] : []));
  const app = Fastify({
    ...(fastPaths.length ? { serverFactory: serverWithFastPaths(fastPaths) } : {}),
    loggerInstance: services.log as unknown as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: services.config.body_limit,
    trustProxy: services.config.listen.trusted_proxy_cidrs,
    routerOptions: { maxParamLength: 500 },
  });
  await app.register(cookie);
  await app.register(formbody);

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const { status, body } = errorBody(error);
    // Only the message and route: a stack trace in the log is as much a leak as one in the response.
    if (status >= 500) request.log.error({ err: { message: describeError(error), code: error.code }, url: request.url }, 'request failed');
    reply.code(status).send(body);
  });
  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send({ detail: 'Not found.' });
  });

  app.get('/-/health/live/', async (_request, reply) => reply.code(204).send());
  app.get('/-/health/ready/', async (_request, reply) => {
    try {
      await services.database.query('select 1');
      return reply.code(204).send();
    } catch {
      return reply.code(503).send();
    }
  });

  const makeContext = contextFactory(services);
  for (const domain of domains) {
    for (const viewSet of domain.viewSets ?? []) registerViewSet(app, viewSet, makeContext);
    domain.routes?.(app, services, makeContext);
  }
  return app;
}
