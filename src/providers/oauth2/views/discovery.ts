import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../../../api/context.js';
import { documentHeaders, renderedDocument, type DocumentKind } from '../documents.js';
import { originOf } from '../id-token.js';
import { providerByApplicationSlug } from '../provider-cache.js';

/**
 * `GET /application/o/<slug>/.well-known/openid-configuration` and `…/jwks/`: the rendered document of the
 * application's provider. Most requests never get here: `documents-fast-path.ts` answers them from the same
 * rendered documents before routing; this route serves the rest (first request, stale cache, proxied requests).
 */
async function serveDocument(services: Services, request: FastifyRequest, reply: FastifyReply, kind: DocumentKind) {
  const slug = (request.params as { slug: string }).slug;
  const provider = await providerByApplicationSlug(services, slug);
  if (!provider) return reply.code(404).send({ detail: 'Not found.' });
  const origin = originOf(request);
  const rendered = renderedDocument(provider, kind, origin);
  return reply.headers(documentHeaders(provider, rendered, request.headers.origin)).send(rendered.body);
}

export const discoveryView = (services: Services) => (request: FastifyRequest, reply: FastifyReply) => serveDocument(services, request, reply, 'discovery');
export const jwksView = (services: Services) => (request: FastifyRequest, reply: FastifyReply) => serveDocument(services, request, reply, 'jwks');
