import type { FastifyRequest } from 'fastify';
import type { Services } from '../api/context.js';
import type { Db } from '../db/database.js';
import { FALLBACK_TENANT_UUID, tenantForHost } from '../core/tenants/current.js';
import { events } from './table.js';
import type { EventAction } from './actions.js';
import { sanitizeContext } from './sanitize.js';

export type EventRow = typeof events.$inferSelect;

/** A user as an event remembers them. */
export interface EventUser {
  pk: number | null;
  username: string;
  email: string;
  on_behalf_of?: EventUser;
}

/** Anything that looks like a user row (core's `users`, a principal, an API body). */
export interface UserLike {
  id?: number;
  pk?: number;
  username: string;
  email?: string;
}

/** The HTTP request behind an event, reduced to what authentik stores of it. */
export interface EventHttpRequest {
  ip?: string;
  userAgent?: string;
  host?: string;
  path?: string;
  method?: string;
  query?: Record<string, unknown>;
}

export interface NewEvent {
  action: EventAction;
  /** The user acting; `null`/absent records authentik's anonymous user. */
  user?: UserLike | null;
  /** When a superuser impersonates `user`: the real user (authentik records them, with `on_behalf_of`). */
  impersonator?: UserLike | null;
  context?: Record<string, unknown>;
  request?: EventHttpRequest | FastifyRequest;
  /** The authentik app (`authentik.core`, `authentik.stages.password`…); defaults to `authentik`. */
  app?: string;
  /** A tenant snapshot; otherwise the tenant of the request's host, else the default tenant. */
  tenant?: Record<string, unknown>;
  /** Where to write (a transaction); defaults to `services.db`. */
  db?: Db;
}

export const ANONYMOUS_USER: EventUser = { pk: null, username: 'AnonymousUser', email: '' };

export function eventUser(user: UserLike | null | undefined, impersonator?: UserLike | null): EventUser {
  if (!user) return { ...ANONYMOUS_USER };
  const self: EventUser = { pk: user.pk ?? user.id ?? null, username: user.username, email: user.email ?? '' };
  if (!impersonator) return self;
  return { ...eventUser(impersonator), on_behalf_of: self };
}

function isFastifyRequest(request: EventHttpRequest | FastifyRequest): request is FastifyRequest {
  return typeof (request as FastifyRequest).raw === 'object' && 'headers' in request;
}

/** What an event keeps of a fastify request. */
export function eventRequestFrom(request: FastifyRequest): EventHttpRequest {
  const url = new URL(request.url, 'http://localhost');
  return {
    ip: request.ip,
    userAgent: String(request.headers['user-agent'] ?? ''),
    host: request.hostname,
    path: url.pathname,
    method: request.method,
    query: Object.fromEntries(url.searchParams),
  };
}

const UNITS: Record<string, number> = {
  weeks: 7 * 86400_000, days: 86400_000, hours: 3600_000, minutes: 60_000, seconds: 1000, milliseconds: 1, microseconds: 0.001,
};

/** authentik's `timedelta_from_string`: `days=365;hours=1` → milliseconds. */
export function durationFromString(value: string): number {
  let total = 0;
  for (const part of value.split(';')) {
    const [key, amount] = part.split('=').map((s) => s.trim());
    if (!key || !(key in UNITS)) continue;
    const number = Number(amount);
    if (Number.isFinite(number)) total += number * UNITS[key];
  }
  return total;
}

/** `db` is where the event was written: a transaction's, until it commits, or `services.database.db`. */
type EventListener = (services: Services, event: EventRow, db: Db) => void | Promise<void>;
const listeners: EventListener[] = [];

/** Runs `listener` after every recorded event (notification rules hook in here); its errors are only logged. */
export function onEventRecorded(listener: EventListener): () => void {
  listeners.push(listener);
  return () => {
    const index = listeners.indexOf(listener);
    if (index >= 0) listeners.splice(index, 1);
  };
}

/**
 * Records an event as authentik's `Event.new(…).from_http(request)` does: a snapshot of the user (and of the
 * impersonator), the client IP, the request's path/method/query/user agent in `context.http_request`, the
 * tenant, and an expiry from the tenant's event retention. Context values are made JSON and secrets masked.
 */
export async function recordEvent(services: Services, input: NewEvent): Promise<EventRow> {
  const db = input.db ?? services.db;
  const http = input.request ? (isFastifyRequest(input.request) ? eventRequestFrom(input.request) : input.request) : undefined;
  const context: Record<string, unknown> = { ...(input.context ?? {}) };
  if (http && (http.path !== undefined || http.method !== undefined)) {
    context.http_request = { path: http.path ?? '', method: http.method ?? '', args: http.query ?? {}, user_agent: http.userAgent ?? '' };
  }
  // Inside the caller's transaction, what it reads is its own: the request's snapshot only outside one.
  const tenant = await tenantForHost(input.db ? { db } : services, http?.host ?? '');
  const retention = durationFromString(tenant.eventRetention) || 365 * 86400_000;
  const tenantSnapshot = input.tenant
    ?? (tenant.tenantUuid === FALLBACK_TENANT_UUID ? {} : { pk: tenant.tenantUuid.replace(/-/g, ''), app: 'authentik_tenants', name: `Tenant ${tenant.domain}`, model_name: 'tenant' });
  const [row] = await db.insert(events).values({
    action: input.action,
    app: input.app ?? 'authentik',
    user: eventUser(input.user, input.impersonator) as unknown as Record<string, unknown>,
    context: sanitizeContext(context),
    clientIp: http?.ip || null,
    expires: new Date(Date.now() + retention),
    tenant: sanitizeContext(tenantSnapshot),
  }).returning();
  for (const listener of listeners) {
    try {
      await listener(services, row, db);
    } catch (err) {
      services.log.warn({ err: (err as Error).message, action: row.action }, 'event listener failed');
    }
  }
  return row;
}
