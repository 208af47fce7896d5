import type { FastifyReply, FastifyRequest } from 'fastify';

/** The request's parameters: the form body for POST, the query otherwise (authentik reads either per method). */
export function params(request: FastifyRequest): Record<string, string> {
  const source = (request.method === 'POST' ? request.body : request.query) as Record<string, unknown> | undefined;
  const out: Record<string, string> = {};
  if (!source || typeof source !== 'object') return out;
  for (const [key, value] of Object.entries(source)) {
    const last = Array.isArray(value) ? value[0] : value;
    if (typeof last === 'string') out[key] = last;
  }
  return out;
}

/** The query string parameters, whatever the method. */
export function queryParams(request: FastifyRequest): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries((request.query ?? {}) as Record<string, unknown>)) {
    const first = Array.isArray(value) ? value[0] : value;
    if (typeof first === 'string') out[key] = first;
  }
  return out;
}

function formDecode(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return value;
  }
}

/**
 * The client's credentials (authentik's `extract_client_auth`): HTTP Basic (form-encoded as RFC 6749 §2.3.1 says)
 * or `client_id`/`client_secret` in the body.
 */
export function clientAuth(request: FastifyRequest, body: Record<string, string>): { clientId: string; clientSecret: string; basic: boolean } {
  const header = request.headers.authorization;
  if (typeof header === 'string' && /^basic /i.test(header)) {
    try {
      const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon >= 0) return { clientId: formDecode(decoded.slice(0, colon)), clientSecret: formDecode(decoded.slice(colon + 1)), basic: true };
    } catch {
      /* fall through to the body */
    }
  }
  return { clientId: body.client_id ?? '', clientSecret: body.client_secret ?? '', basic: false };
}

/** A bearer token from the Authorization header, else from the body or query (`access_token`), as authentik's userinfo reads it. */
export function bearerToken(request: FastifyRequest, allowBody = true): string | undefined {
  const header = request.headers.authorization;
  if (typeof header === 'string') {
    const [scheme, value] = header.split(' ', 2);
    if (scheme?.toLowerCase() === 'bearer' && value) return value.trim();
  }
  if (!allowBody) return undefined;
  const body = (request.body ?? {}) as Record<string, unknown>;
  const query = (request.query ?? {}) as Record<string, unknown>;
  const value = body.access_token ?? query.access_token;
  return typeof value === 'string' && value ? value : undefined;
}

/** An origin CORS may echo: scheme, host name and port, as `URL` parses them. */
export interface AllowedOrigin {
  protocol: string;
  hostname: string;
  port: string;
}

/** The origins of `urls` (redirect URIs); URLs that do not parse are left out. */
export function allowedOrigins(urls: string[]): AllowedOrigin[] {
  const out: AllowedOrigin[] = [];
  for (const url of urls) {
    try {
      const { protocol, hostname, port } = new URL(url);
      out.push({ protocol, hostname, port });
    } catch {
      /* not a URL: it allows no origin */
    }
  }
  return out;
}

/** Whether the request's `Origin` header is one of `allowed`. */
export function originAllowed(origin: string, allowed: AllowedOrigin[]): boolean {
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return false;
  }
  return allowed.some((a) => a.protocol === parsed.protocol && a.hostname === parsed.hostname && a.port === parsed.port);
}

/** authentik's `cors_allow`: the request's Origin is echoed when it is the origin of one of `allowed`. */
export function corsAllow(request: FastifyRequest, reply: FastifyReply, allowed: string[] | AllowedOrigin[]): void {
  const origin = request.headers.origin;
  if (!origin) return;
  const origins = allowed.length && typeof allowed[0] === 'string' ? allowedOrigins(allowed as string[]) : (allowed as AllowedOrigin[]);
  if (!originAllowed(origin, origins)) return;
  reply.header('Access-Control-Allow-Origin', origin);
  reply.header('Access-Control-Allow-Credentials', 'true');
  if (request.method === 'OPTIONS') {
    reply.header('Access-Control-Allow-Headers', 'authorization,content-type');
    reply.header('Access-Control-Allow-Methods', 'GET,POST,OPTIONS');
  }
}

/** Token responses are never cached (RFC 6749 §5.1). */
export function noStore(reply: FastifyReply): FastifyReply {
  return reply.header('Cache-Control', 'no-store').header('Pragma', 'no-cache');
}
