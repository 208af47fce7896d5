import { and, count, eq, gte, sql } from 'drizzle-orm';
import type { ViewSet } from '../../api/viewset.js';
import type { ApiContext } from '../../api/context.js';
import { filters } from '../../api/filters.js';
import { ValidationError } from '../../api/errors.js';
import { deleteBindingsOf } from '../../policies/targets.js';
import { events } from '../../events/table.js';
import { applications } from '../table.js';
import { applicationModel, type ApplicationRow } from './model.js';
import { applicationAccess, userRow } from './access.js';
import { removeUploadedIcon, isUnsafeMediaName } from './icons.js';

function queryValue(ctx: ApiContext, name: string): string | undefined {
  const raw = (ctx.request.query as Record<string, unknown>)[name];
  const value = Array.isArray(raw) ? raw[raw.length - 1] : raw;
  return value === undefined ? undefined : String(value);
}

const isTrue = (value: string | undefined) => (value ?? 'false').toLowerCase() === 'true';

/**
 * authentik's application list: the page as filtered and ordered, narrowed to the applications the caller (or,
 * for a superuser, `for_user`) passes the policies of; a superuser's `superuser_full_list=true` skips that, and
 * `only_with_launch_url=true` keeps those that can be launched. Like authentik, the count is the unfiltered one.
 */
async function allowedApplications(ctx: ApiContext, rows: ApplicationRow[]): Promise<ApplicationRow[]> {
  if (isTrue(queryValue(ctx, 'superuser_full_list')) && ctx.principal.isSuperuser) return rows;
  const forUser = queryValue(ctx, 'for_user');
  const allowedFor = async (userId: number) => {
    const user = await userRow(ctx.services, userId);
    if (!user) return [];
    const options = { request: ctx.request, sessionKey: userId === ctx.principal.id ? ctx.principal.sessionKey : undefined };
    const verdicts = await Promise.all(rows.map((app) => applicationAccess(ctx.services, app, user, options)));
    return rows.filter((_, i) => verdicts[i].passing);
  };
  if (forUser !== undefined) {
    if (!/^-?\d+$/.test(forUser.trim())) throw ValidationError.nonField('Invalid input.');
    // Looking at another user's applications takes `view_user_applications`, which only superusers hold here.
    const target = ctx.principal.isSuperuser ? await userRow(ctx.services, Number(forUser)) : undefined;
    if (!target) throw new ValidationError({ for_user: 'User not found' });
    return allowedFor(target.id);
  }
  const allowed = await allowedFor(ctx.principal.id);
  if (!isTrue(queryValue(ctx, 'only_with_launch_url'))) return allowed;
  const rendered = await applicationModel.serialize(allowed, ctx);
  return allowed.filter((_, i) => Boolean(rendered[i].launch_url));
}

async function checkAccess(ctx: ApiContext, application: ApplicationRow) {
  const superuser = ctx.principal.isSuperuser;
  let user = await userRow(ctx.services, ctx.principal.id);
  const forUser = queryValue(ctx, 'for_user');
  if (superuser && forUser !== undefined) {
    if (!/^\d+$/.test(forUser.trim())) throw new ValidationError({ for_user: 'for_user must be numerical' });
    user = await userRow(ctx.services, Number(forUser));
    if (!user) throw new ValidationError({ for_user: 'User not found' });
  }
  if (!user) return { passing: false, messages: [], log_messages: [] };
  const result = await applicationAccess(ctx.services, application, user, {
    request: ctx.request, sessionKey: user.id === ctx.principal.id ? ctx.principal.sessionKey : undefined, debug: superuser, useCache: false,
  });
  // Only superusers learn why: messages and the policies' log.
  if (!superuser) return { passing: result.passing, messages: [], log_messages: [] };
  return { passing: result.passing, messages: result.messages, log_messages: result.logMessages ?? [] };
}

/** The chart of authentik's `get_events_per(7 days, 21 points)`: 8-hour spans, newest first, from one span ahead. */
const SPAN_MS = 8 * 3600_000;
const POINTS = 21;

async function authorizationMetrics(ctx: ApiContext, application: ApplicationRow) {
  const now = new Date();
  const since = new Date(now.getTime() - SPAN_MS * POINTS);
  const span = sql<number>`floor(extract(epoch from (${now.toISOString()}::timestamptz - ${events.created})) * 1000 / ${SPAN_MS})::int`;
  const rows = await ctx.services.db.select({ span, total: count() }).from(events)
    .where(and(
      eq(events.action, 'authorize_application'),
      gte(events.created, since),
      sql`${events.context}->'authorized_application'->>'pk' = ${application.pbmUuid.replace(/-/g, '')}`,
    ))
    .groupBy(sql`1`);
  const totals = new Map(rows.map((r) => [Number(r.span), Number(r.total)]));
  const end = Math.floor(now.getTime() / 1000) * 1000;
  const points = [];
  for (let interval = 1; interval > -POINTS; interval -= 1) {
    points.push({ x_cord: end + interval * SPAN_MS, y_cord: totals.get(-interval) ?? 0 });
  }
  return points;
}

export const applicationViewSet: ViewSet<ApplicationRow> = {
  model: applicationModel,
  path: '/core/applications/',
  lookupParam: 'slug',
  lookupColumn: applications.slug,
  lookupType: 'string',
  requestSchema: 'ApplicationRequest',
  // Anyone may list (narrowed by policies); reading one or changing any takes `view_application`/`change_application`,
  // which only superusers hold until object permissions exist.
  access: { list: 'authenticated' },
  filters: {
    name: filters.exact(applications.name),
    slug: filters.exact(applications.slug),
    meta_launch_url: filters.exact(applications.metaLaunchUrl),
    meta_description: filters.exact(applications.metaDescription),
    meta_publisher: filters.exact(applications.metaPublisher),
    group: filters.exact(applications.group),
  },
  search: [applications.name, applications.slug, applications.metaLaunchUrl, applications.metaDescription, applications.metaPublisher, applications.group],
  ordering: {
    pk: applications.pbmUuid, name: applications.name, slug: applications.slug, provider: applications.providerId,
    open_in_new_tab: applications.openInNewTab, meta_launch_url: applications.metaLaunchUrl, meta_icon: applications.metaIcon,
    meta_description: applications.metaDescription, meta_publisher: applications.metaPublisher,
    policy_engine_mode: applications.policyEngineMode, group: applications.group,
  },
  defaultOrdering: ['name'],
  filterPage: allowedApplications,
  async beforeDestroy(tx, row) {
    await deleteBindingsOf(tx, row.pbmUuid);
  },
  actions: [
    {
      // Not `view_application`: whoever may use an application may ask whether they may.
      method: 'GET', path: 'check_access', detail: true, access: 'authenticated',
      handler: (ctx, application) => checkAccess(ctx, application!),
    },
    {
      method: 'GET', path: 'metrics', detail: true, access: 'superuser',
      handler: (ctx, application) => authorizationMetrics(ctx, application!),
    },
    {
      method: 'POST', path: 'set_icon_url', detail: true, access: 'superuser',
      async handler(ctx, application, body) {
        // authentik answers a bare 400 without a `url`; a relative name must stay inside the media folder.
        const url = body.url;
        if (typeof url !== 'string' || (url !== '' && !url.includes('://') && !url.startsWith('/static') && isUnsafeMediaName(url))) {
          return { status: 400 };
        }
        await ctx.services.db.update(applications).set({ metaIcon: url || null }).where(eq(applications.pbmUuid, application!.pbmUuid));
        if (application!.metaIcon !== url) await removeUploadedIcon(ctx.services, application!.metaIcon);
        // authentik sends `{}`; the schema declares the 200 without a body, and clients read none.
        return { status: 200 };
      },
    },
  ],
};
