import { promises as dns } from 'node:dns';
import { asc, eq, sql } from 'drizzle-orm';
import { executeRows } from '../db/database.js';
import { groups, userGroups, users } from '../core/table.js';
import { allGroupIdsOf } from '../core/users-logic.js';
import { tenantForHost } from '../core/tenants/current.js';
import type { ExpressionCall } from './handlers.js';
import { registerExpressionHandler, registerLazyExpressionHandler } from './handlers.js';
import { guardedHttpRequest } from './http.js';
import { FieldError, runModelQuery, type QueryArgs } from './query.js';
import { isGroupRow, isUserRow, type Wire } from './wire.js';

/** Bounds a helper's wait by what is left of the evaluation's time. */
function withinDeadline<T>(call: ExpressionCall, work: Promise<T>, what: string): Promise<T> {
  const left = call.deadline - Date.now();
  if (left <= 0) return Promise.reject(new Error(`Timeout: no time left for ${what}`));
  let timer: NodeJS.Timeout;
  return Promise.race([
    work.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error(`Timeout: ${what} took too long`)), left))),
  ]);
}

const num = (value: Wire | undefined): number => {
  const n = Number(value);
  if (!Number.isInteger(n)) throw new Error('a user pk is an integer');
  return n;
};

/** authentik's event context renders models as `{pk, app, name, model_name}` (`sanitize_dict`). */
function eventValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(eventValue);
  if (value === null || typeof value !== 'object' || value instanceof Date || Buffer.isBuffer(value)) return value;
  if (isUserRow(value)) return { pk: value.id, app: 'authentik_core', name: value.username, model_name: 'user' };
  if (isGroupRow(value)) return { pk: value.groupUuid.replace(/-/g, ''), app: 'authentik_core', name: value.name, model_name: 'group' };
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[key] = eventValue(item);
  return out;
}

const DEVICE_TABLES: Record<string, string> = {
  totp: 'otp_totp_totpdevice',
  static: 'otp_static_staticdevice',
  webauthn: 'authentik_stages_authenticator_webauthn_webauthndevice',
  duo: 'authentik_stages_authenticator_duo_duodevice',
  sms: 'authentik_stages_authenticator_sms_smsdevice',
  email: 'authentik_stages_authenticator_email_emaildevice',
};

/**
 * The helpers this folder answers itself (users, groups, tenants, settings, DNS, HTTP), and those answered by
 * other domains' modules, imported on first use: `ak_create_event` (events), `ak_call_policy` (policies).
 * A domain can replace any of them with `registerExpressionHandler`.
 */
export function registerBuiltinHandlers(): void {
  registerExpressionHandler('query', async (call, args) => {
    try {
      return await runModelQuery(call.services.db, args as unknown as QueryArgs);
    } catch (err) {
      if (err instanceof FieldError) return { field_error: err.message };
      throw err;
    }
  });

  registerExpressionHandler('user_groups', async (call, args) => {
    const pk = num(args.pk);
    if (args.ancestors) {
      return call.services.db.select().from(groups).where(sql`${groups.groupUuid} in ${allGroupIdsOf(pk)}`).orderBy(asc(groups.name));
    }
    const rows = await call.services.db.select({ group: groups }).from(userGroups)
      .innerJoin(groups, eq(groups.groupUuid, userGroups.groupId)).where(eq(userGroups.userId, pk)).orderBy(asc(groups.name));
    return rows.map((row) => row.group);
  });

  registerExpressionHandler('user_password', async (call, args) => {
    const [row] = await call.services.db.select({ password: users.password }).from(users).where(eq(users.id, num(args.pk))).limit(1);
    return row?.password ?? '';
  });

  registerExpressionHandler('tenant', async (call, args) => {
    const { tenantUuid, ...tenant } = await tenantForHost(call.services, String(args.host ?? ''));
    return { pk: tenantUuid, tenant_uuid: tenantUuid, ...tenant };
  });

  registerExpressionHandler('system_settings', (call) => {
    const { config } = call.services;
    return {
      avatars: config.avatars,
      default_user_change_name: config.default_user_change_name,
      default_user_change_email: config.default_user_change_email,
      default_user_change_username: config.default_user_change_username,
      default_token_length: config.default_token_length,
      footer_links: config.footer_links,
      impersonation: config.impersonation,
      gdpr_compliance: true,
      event_retention: 'days=365',
    };
  });

  registerExpressionHandler('user_has_authenticator', async (call, args) => {
    const pk = num(args.pk);
    const wanted = typeof args.device_type === 'string' && args.device_type ? [args.device_type] : Object.keys(DEVICE_TABLES);
    const tables = wanted.map((type) => DEVICE_TABLES[type]).filter(Boolean);
    if (!tables.length) return false;
    const present = await executeRows<{ name: string }>(call.services.db, sql`select relname as "name" from pg_class
      where relkind = 'r' and relname in (${sql.join(tables.map((t) => sql`${t}`), sql`, `)})`);
    for (const { name } of present) {
      const [found] = await executeRows<{ found: boolean }>(call.services.db,
        sql`select exists(select 1 from ${sql.identifier(name)} where user_id = ${pk} and confirmed) as "found"`);
      if (found?.found) return true;
    }
    return false;
  });

  registerExpressionHandler('resolve_dns', async (call, args) => {
    const family = args.ip_version === 4 ? 4 : args.ip_version === 6 ? 6 : 0;
    try {
      const found = await withinDeadline(call, dns.lookup(String(args.host ?? ''), { all: true, family }), 'resolve_dns');
      return [...new Set(found.map((entry) => entry.address))];
    } catch {
      return [];
    }
  });

  registerExpressionHandler('reverse_dns', async (call, args) => {
    const ip = String(args.ip ?? '');
    try {
      const [name] = await withinDeadline(call, dns.reverse(ip), 'reverse_dns');
      return name ?? ip;
    } catch {
      return ip;
    }
  });

  registerExpressionHandler('http_request', (call, args) => guardedHttpRequest(args, call.deadline));

  registerLazyExpressionHandler('create_event', async () => {
    const { recordEvent } = await import('../events/record.js');
    return async (call, args) => {
      const context = eventValue(call.codec.decode(args.context ?? {})) as Record<string, unknown>;
      const request = call.variables.request;
      const http = request?.httpRequest ?? call.variables.http_request;
      await recordEvent(call.services, {
        action: String(args.action) as Parameters<typeof recordEvent>[1]['action'],
        app: String(args.app ?? call.filename),
        user: http ? (http.user ?? request?.user ?? null) : null,
        context,
        request: http ? { ip: http.ip, userAgent: http.userAgent, host: http.host, path: http.path, method: http.method, query: http.query } : undefined,
      });
      return null;
    };
  });

  registerLazyExpressionHandler('call_policy', async () => {
    const [{ runPolicy }, { policies }] = await Promise.all([import('../policies/engine.js'), import('../policies/table.js')]);
    return async (call, args) => {
      const name = String(args.name ?? '');
      const [policy] = await call.services.db.select().from(policies).where(eq(policies.name, name)).limit(1);
      if (!policy) throw new Error(`Policy '${name}' not found.`);
      const base = call.variables.request;
      const extra = call.codec.decode(args.context ?? {}) as Record<string, unknown>;
      const user = base?.user ?? (isUserRow((call.variables.user ?? {}) as object) ? call.variables.user as typeof users.$inferSelect : null);
      const http = base?.httpRequest;
      const result = await runPolicy(call.services, policy, {
        user,
        httpRequest: http ? { ip: http.ip ?? '', userAgent: http.userAgent ?? '', host: http.host ?? '', path: http.path, method: http.method, query: http.query } : undefined,
        obj: base?.obj,
        context: { ...(base?.context ?? {}), ...extra },
      });
      return { passing: result.passing, messages: result.messages };
    };
  });
}

