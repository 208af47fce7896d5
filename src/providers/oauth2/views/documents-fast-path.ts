import type { IncomingMessage, ServerResponse } from 'node:http';
import { documentHeaders, renderedDocument, type DocumentKind } from '../documents.js';
import { loadedProviderBySlug } from '../provider-cache.js';

const PREFIX = '/application/o/';
const SUFFIXES: [string, DocumentKind][] = [
  ['/jwks/', 'jwks'],
  ['/.well-known/openid-configuration', 'discovery'],
  ['/.well-known/openid-configuration/', 'discovery'],
];
/** The router's `maxParamLength`: a longer slug is not the route's, whatever it is. */
const MAX_SLUG_LENGTH = 500;

function match(url: string): { slug: string; kind: DocumentKind } | undefined {
  if (!url.startsWith(PREFIX)) return undefined;
  for (const [suffix, kind] of SUFFIXES) {
    if (!url.endsWith(suffix)) continue;
    const slug = url.slice(PREFIX.length, url.length - suffix.length);
    // Only plain slugs: anything the router would decode or treat otherwise takes the normal route.
    if (!slug || slug.length > MAX_SLUG_LENGTH || /[/%?#]/.test(slug)) return undefined;
    return { slug, kind };
  }
  return undefined;
}

/**
 * Discovery and JWKS documents answered before fastify's routing and hooks: relying parties fetch them often,
 * and they are the same bytes every time. Only a GET of a provider that is loaded and fresh in the provider cache
 * (5 s, dropped on every write) is answered here, from the same rendered document and with the same headers as
 * the route; anything else (unknown or stale slug, a query string, HEAD, a request through a proxy whose
 * forwarded headers change the origin) returns false and takes the normal route.
 */
export function documentsFastPath(req: IncomingMessage, res: ServerResponse): boolean {
  if (req.method !== 'GET' || !req.url) return false;
  const matched = match(req.url);
  if (!matched) return false;
  const { headers } = req;
  const host = headers.host;
  if (!host || headers['x-forwarded-host'] !== undefined || headers['x-forwarded-proto'] !== undefined) return false;
  const provider = loadedProviderBySlug(matched.slug);
  if (!provider) return false;
  const origin = `${(req.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http'}://${host}`;
  const rendered = renderedDocument(provider, matched.kind, origin);
  res.writeHead(200, documentHeaders(provider, rendered, headers.origin));
  res.end(rendered.body);
  return true;
}
