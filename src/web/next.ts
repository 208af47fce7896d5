import type { FastifyRequest } from 'fastify';

/**
 * A `?next=` target that stays on this site (a path, or an absolute URL of this host), else undefined: an
 * open redirect through the login page would lend the IdP's name to any phishing link.
 */
export function safeNext(next: string | undefined, request: Pick<FastifyRequest, 'protocol' | 'host'>): string | undefined {
  if (!next || typeof next !== 'string') return undefined;
  let origin: string;
  let target: URL;
  try {
    origin = new URL(`${request.protocol}://${request.host}`).origin;
    target = new URL(next, origin);
  } catch {
    return undefined;
  }
  if (target.origin !== origin || !['http:', 'https:'].includes(target.protocol)) return undefined;
  // Backslashes and control characters are read differently by browsers; refuse rather than guess.
  if (/[\\\u0000-\u001f]/.test(next)) return undefined;
  return `${target.pathname}${target.search}${target.hash}`;
}
