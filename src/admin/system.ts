import { existsSync } from 'node:fs';
import { hostname, machine, release, tmpdir, type, version as osVersion } from 'node:os';
import { join } from 'node:path';
import type { FastifyRequest } from 'fastify';
import type { Services } from '../api/context.js';
import type { Config } from '../config/index.js';
import { tenantForHost } from '../core/tenants/current.js';
import { tenantName } from '../core/tenants/model.js';
import { SESSION_COOKIE } from '../core/sessions.js';

export interface Runtime {
  python_version: string;
  gunicorn_version: string;
  environment: string;
  architecture: string;
  platform: string;
  uname: string;
}

export interface SystemInfo {
  http_headers: Record<string, string>;
  http_host: string;
  http_is_secure: boolean;
  runtime: Runtime;
  tenant: string;
  server_time: string;
  embedded_outpost_host: string;
}

/** Django's `SafeExceptionReporterFilter.cleansed_substitute`. */
const CLEANSED = '********************';

/**
 * The request as Django's `request.META` shows it: `HTTP_*` headers (repeated ones joined by commas),
 * `CONTENT_TYPE`/`CONTENT_LENGTH` unprefixed, and the server's CGI-style variables. As later authentik
 * versions do, the session cookie's value is masked wherever it appears.
 */
export function requestMeta(request: FastifyRequest): Record<string, string> {
  const url = new URL(request.url, 'http://localhost');
  const socket = request.raw.socket;
  const meta: Record<string, string> = {
    REQUEST_METHOD: request.method,
    QUERY_STRING: url.search.slice(1),
    SCRIPT_NAME: '',
    PATH_INFO: decodeURIComponent(url.pathname),
    REMOTE_ADDR: request.ip,
    REMOTE_HOST: request.ip,
    SERVER_NAME: request.hostname,
    SERVER_PORT: String(socket?.localPort ?? request.port ?? ''),
  };
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    const key = name.toUpperCase().replaceAll('-', '_');
    meta[key === 'CONTENT_TYPE' || key === 'CONTENT_LENGTH' ? key : `HTTP_${key}`] = Array.isArray(value) ? value.join(',') : String(value);
  }
  const session = request.cookies?.[SESSION_COOKIE];
  if (session) {
    for (const [key, value] of Object.entries(meta)) meta[key] = value.replaceAll(session, CLEANSED);
  }
  return meta;
}

/** authentik's `get_env`: where the server runs, from well-known environment markers. */
export function runtimeEnvironment(debug: boolean, env: NodeJS.ProcessEnv = process.env): string {
  if ('CI' in env) return 'ci';
  if (debug) return 'dev';
  if ('KUBERNETES_SERVICE_HOST' in env) return 'kubernetes';
  if (existsSync(join(tmpdir(), 'authentik-mode'))) return 'compose';
  if (env.AK_APPLIANCE) return env.AK_APPLIANCE;
  return 'custom';
}

/**
 * authentik reports its Python and gunicorn; the runtime here is Node.js and fastify, reported in those fields.
 * `platform` and `uname` follow Python's `platform.platform()` and `platform.uname()`.
 */
export function runtimeInfo(serverVersion: string, debug: boolean): Runtime {
  const architecture = machine();
  return {
    python_version: process.version,
    gunicorn_version: serverVersion,
    environment: runtimeEnvironment(debug),
    architecture,
    platform: `${type()}-${release()}-${architecture}`,
    uname: [type(), hostname(), release(), osVersion(), architecture].join(' '),
  };
}


/** `AUTHENTIK_DEBUG`, which the config loader keeps as given. */
function debugEnabled(config: Config): boolean {
  const value = (config as unknown as Record<string, unknown>).debug;
  return value === true || (typeof value === 'string' && ['true', '1', 'yes', 'on'].includes(value.toLowerCase()));
}

export async function systemInfo(services: Services, request: FastifyRequest): Promise<SystemInfo> {
  const db = services.db;
  return {
    http_headers: requestMeta(request),
    http_host: request.host,
    http_is_secure: request.protocol === 'https',
    runtime: runtimeInfo(request.server.version, debugEnabled(services.config)),
    tenant: tenantName(await tenantForHost({ db }, request.host)),
    server_time: new Date().toISOString(),
    // The embedded outpost's `authentik_host`; no outposts exist yet.
    embedded_outpost_host: '',
  };
}
