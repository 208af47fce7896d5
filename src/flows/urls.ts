import type { FastifyRequest } from 'fastify';

/**
 * `next` as a path on this site, or undefined: a relative path, or an absolute URL of the request's own origin.
 * Anything else (another host, `//host`, backslashes, other schemes) would turn the login page into an open
 * redirect, which authentik refuses as "Invalid next URL".
 */
export function sameSiteUrl(target: string, request: Pick<FastifyRequest, 'protocol' | 'host'>): string | undefined {
  if (!target || /[\\\u0000-\u001f]/.test(target)) return undefined;
  let origin: string;
  let url: URL;
  try {
    // Normalised by URL: `http://host:80` is `http://host`.
    origin = new URL(`${request.protocol}://${request.host}`).origin;
    url = new URL(target, origin);
  } catch {
    return undefined;
  }
  if (url.origin !== origin || (url.protocol !== 'http:' && url.protocol !== 'https:')) return undefined;
  return `${url.pathname}${url.search}${url.hash}`;
}
