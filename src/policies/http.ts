import type { FastifyRequest } from 'fastify';
import type { PolicyHttpRequest } from './types.js';

/** The part of a fastify request policies read; the session key makes cached results per session. */
export function policyHttpRequest(request: FastifyRequest, sessionKey?: string): PolicyHttpRequest {
  const url = new URL(request.url, 'http://localhost');
  return {
    ip: request.ip,
    userAgent: String(request.headers['user-agent'] ?? ''),
    host: request.hostname,
    sessionKey,
    path: url.pathname,
    method: request.method,
    query: Object.fromEntries(url.searchParams),
  };
}
