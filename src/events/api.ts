import { and, desc, eq, ilike, isNotNull, sql, type SQL } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import type { ModelDefinition, Json, FilterFn } from '../api/model.js';
import { timestampOut } from '../api/model.js';
import type { ViewSet } from '../api/viewset.js';
import { ApiError, ValidationError } from '../api/errors.js';
import type { ApiContext } from '../api/context.js';
import { events } from './table.js';
import { EVENT_ACTIONS } from './actions.js';
import { perMonth, volume } from './stats.js';
import { durationFromString, type EventRow } from './record.js';

const escapeLike = (value: string) => value.replace(/[\\%_]/g, '\\$&');

export const eventModel: ModelDefinition<EventRow> = {
  name: 'authentik_events.event',
  verboseName: 'Event',
  verboseNamePlural: 'Events',
  table: events,
  pk: events.eventUuid,
  requestSchema: 'EventRequest',
  fields: {
    user: { column: events.user, parse: (value) => value ?? {} },
    action: { column: events.action },
    app: { column: events.app },
    context: { column: events.context, parse: (value) => value ?? {} },
    client_ip: { column: events.clientIp },
    expires: { column: events.expires },
    tenant: { column: events.tenant, parse: (value) => value ?? {} },
  },
  displayName: (row) => `Event action=${row.action} user=${JSON.stringify(row.user)} context=${JSON.stringify(row.context)}`,
  serialize: async (rows) => rows.map((row) => ({
    pk: row.eventUuid,
    user: row.user,
    action: row.action,
    app: row.app,
    context: row.context,
    client_ip: row.clientIp,
    created: timestampOut(row.created),
    expires: timestampOut(row.expires),
    tenant: row.tenant,
  })),
  defaults: () => ({ expires: new Date(Date.now() + (durationFromString('days=365'))) }),
};

const jsonText = (column: PgColumn, ...path: string[]) => sql`${column} #>> ${`{${path.join(',')}}`}`;

/** authentik's `EventsFilter`. */
const eventFilters: Record<string, FilterFn> = {
  action: (value) => ilike(events.action, `%${escapeLike(value)}%`),
  client_ip: (value) => eq(events.clientIp, value),
  username: (value) => sql`${jsonText(events.user, 'username')} = ${value}`,
  tenant_name: (value) => sql`${jsonText(events.tenant, 'name')} = ${value}`,
  context_model_pk: (value) => sql`${jsonText(events.context, 'model', 'pk')} = ${value}`,
  context_model_name: (value) => sql`${jsonText(events.context, 'model', 'model_name')} = ${value}`,
  context_model_app: (value) => sql`${jsonText(events.context, 'model', 'app')} = ${value}`,
  context_authorized_app: (value) => sql`${jsonText(events.context, 'authorized_application', 'pk')} = ${value}`,
  // authentik searches the uuid and the JSON columns as text, which a plain `ilike` on a column cannot.
  search: (value) => {
    const term = `%${escapeLike(value)}%`;
    return sql`(${events.eventUuid}::text ilike ${term} or ${events.user}::text ilike ${term} or ${events.action} ilike ${term}
      or ${events.app} ilike ${term} or ${events.context}::text ilike ${term} or coalesce(${events.clientIp}, '') ilike ${term})`;
  },
};

function query(ctx: ApiContext): Record<string, string> {
  const raw = ctx.request.query as Record<string, unknown>;
  return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, String(Array.isArray(v) ? v[v.length - 1] : v)]));
}

function filtered(ctx: ApiContext): SQL | undefined {
  const params = query(ctx);
  return and(...Object.entries(eventFilters).filter(([name]) => params[name]).map(([name, filter]) => filter(params[name], ctx, [params[name]])));
}

const JSON_FIELDS: Record<string, PgColumn> = { user: events.user, context: events.context, tenant: events.tenant };
const PLAIN_FIELDS: Record<string, SQL> = {
  action: sql`${events.action}`, app: sql`${events.app}`, client_ip: sql`${events.clientIp}`, event_uuid: sql`${events.eventUuid}::text`,
};

/**
 * `per_month`'s `query`: a JSON object of Django lookups (`{"user__pk": 5}`,
 * `{"context__authorized_application__pk": "…"}`), limited to exact matches on fields and JSON paths.
 */
function lookups(raw: string | undefined): SQL | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw ?? '{}');
  } catch {
    throw new ApiError(400, {});
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new ApiError(400, {});
  const conditions: SQL[] = [];
  for (const [lookup, value] of Object.entries(parsed)) {
    const [field, ...path] = lookup.split('__');
    const text = value === null ? null : typeof value === 'object' ? JSON.stringify(value) : String(value);
    if (field in JSON_FIELDS && path.length) {
      conditions.push(text === null ? sql`${jsonText(JSON_FIELDS[field], ...path)} is null` : sql`${jsonText(JSON_FIELDS[field], ...path)} = ${text}`);
    } else if (field in PLAIN_FIELDS && !path.length) {
      conditions.push(text === null ? sql`${PLAIN_FIELDS[field]} is null` : sql`${PLAIN_FIELDS[field]} = ${text}`);
    } else throw new ApiError(400, {});
  }
  return and(...conditions);
}

export const eventViewSet: ViewSet<EventRow> = {
  model: eventModel,
  path: '/events/events/',
  lookupParam: 'event_uuid',
  lookupColumn: events.eventUuid,
  lookupType: 'uuid',
  filters: eventFilters,
  ordering: { created: events.created, action: events.action, app: events.app, client_ip: events.clientIp, user: sql`${events.user}->>'username'` },
  defaultOrdering: ['-created'],
  actions: [
    {
      method: 'GET', path: 'actions', detail: false, access: 'superuser',
      handler: async () => Object.entries(EVENT_ACTIONS).map(([value, label]) => ({ name: label, description: '', component: value, model_name: '' })),
    },
    {
      method: 'GET', path: 'top_per_user', detail: false, access: 'superuser',
      async handler(ctx) {
        const params = query(ctx);
        const topN = Number.parseInt(params.top_n ?? '15', 10);
        if (!Number.isInteger(topN)) throw ValidationError.field('top_n', 'A valid integer is required.');
        const application = sql<Json>`${events.context}->'authorized_application'`;
        const rows = await ctx.services.db.select({
          application,
          counted_events: sql<number>`count(*)::int`,
          unique_users: sql<number>`count(distinct ${events.user}->>'pk')::int`,
        }).from(events)
          .where(and(eq(events.action, params.action ?? 'login'), isNotNull(application), sql`${application} <> 'null'::jsonb`))
          .groupBy(application).orderBy(desc(sql`count(*)`)).limit(Math.max(0, topN));
        return rows.map((r) => ({ application: r.application, counted_events: Number(r.counted_events), unique_users: Number(r.unique_users) }));
      },
    },
    { method: 'GET', path: 'volume', detail: false, access: 'superuser', handler: (ctx) => volume(ctx.services, filtered(ctx)) },
    {
      method: 'GET', path: 'per_month', detail: false, access: 'superuser',
      async handler(ctx) {
        const params = query(ctx);
        return perMonth(ctx.services, and(eq(events.action, params.action ?? 'login'), lookups(params.query)));
      },
    },
  ],
};
