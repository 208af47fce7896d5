import { eq, inArray } from 'drizzle-orm';
import type { ModelContext } from '../../api/context.js';
import type { Json, ModelDefinition } from '../../api/model.js';
import { ValidationError } from '../../api/errors.js';
import { doesNotExist, firstMissing } from '../../api/references.js';
import { applications, providers, users } from '../table.js';
import { providerLaunchUrl, serializeProviders, setBackchannelProviders, type ProviderRow } from './providers.js';

export type ApplicationRow = typeof applications.$inferSelect;
type UserRow = typeof users.$inferSelect;

/**
 * The URL of an application's icon, as authentik's `get_meta_icon`: a URL (`://`) or a `/static` path as it is,
 * an uploaded file's name under `/media/`, nothing when unset.
 */
export function iconUrl(name: string | null): string | null {
  if (!name) return null;
  if (name.includes('://') || name.startsWith('/static')) return name;
  // Django's `filepath_to_uri`: each byte quoted except `/~!*()'`.
  return `/media/${encodeURIComponent(name).replace(/%2F/gi, '/')}`;
}

/**
 * The values a launch URL may use (authentik formats it with `url % user.__dict__`): the user's own fields, but
 * never the password hash.
 */
function launchUrlValues(user: UserRow): Record<string, unknown> {
  return {
    id: user.id, username: user.username, name: user.name, email: user.email, uuid: user.uuid, path: user.path,
    type: user.type, is_active: user.isActive, first_name: '', last_name: '',
  };
}

function pythonStr(value: unknown): string {
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (value === null || value === undefined) return 'None';
  return String(value);
}

/**
 * Python's `url % mapping` for the forms launch URLs use (`%(username)s`, `%%`). Anything Python would refuse or
 * render oddly (an unknown key, `%20` from an encoded URL) leaves the URL as it is, as authentik's fallback does.
 */
export function formatLaunchUrl(url: string, user: UserRow | undefined): string {
  if (!user || !url.includes('%')) return url;
  const values = launchUrlValues(user);
  let failed = false;
  const formatted = url.replace(/%(?:\(([^)]*)\)([sdir])|(%)|.?)/g, (match, key: string | undefined, _conversion, percent: string | undefined) => {
    if (percent) return '%';
    if (key === undefined || !(key in values)) {
      failed = true;
      return match;
    }
    return pythonStr(values[key]);
  });
  return failed ? url : formatted;
}

/** Renders applications for `ctx`'s caller: the launch URL is formatted for them. */
async function serializeApplications(rows: ApplicationRow[], ctx: ModelContext): Promise<Json[]> {
  const db = ctx.services.db;
  const ids = rows.map((r) => r.pbmUuid);
  const providerIds = rows.map((r) => r.providerId).filter((id): id is number => id !== null);
  const [mainProviders, backchannel] = await Promise.all([
    providerIds.length ? db.select().from(providers).where(inArray(providers.id, providerIds)) : [],
    ids.length ? db.select().from(providers).where(inArray(providers.backchannelApplication, ids)).orderBy(providers.id) : [],
  ]);
  const rendered = await serializeProviders(db, [...mainProviders, ...backchannel]);
  const renderedById = new Map([...mainProviders, ...backchannel].map((p, i) => [p.id, rendered[i]]));
  const mainById = new Map(mainProviders.map((p) => [p.id, p]));
  const needsUser = ctx.request && ctx.principal.id > 0;
  const [caller] = needsUser ? await db.select().from(users).where(eq(users.id, ctx.principal.id)).limit(1) : [];
  return Promise.all(rows.map(async (app) => {
    const provider = app.providerId !== null ? mainById.get(app.providerId) : undefined;
    const ownBackchannel = backchannel.filter((p: ProviderRow) => p.backchannelApplication === app.pbmUuid);
    const url = app.metaLaunchUrl || (provider ? await providerLaunchUrl(ctx.services, provider) : null);
    return {
      pk: app.pbmUuid,
      name: app.name,
      slug: app.slug,
      provider: app.providerId,
      provider_obj: provider ? renderedById.get(provider.id) : null,
      backchannel_providers: ownBackchannel.map((p) => p.id),
      backchannel_providers_obj: ownBackchannel.map((p) => renderedById.get(p.id)),
      launch_url: url ? formatLaunchUrl(url, caller) : null,
      open_in_new_tab: app.openInNewTab,
      meta_launch_url: app.metaLaunchUrl,
      meta_icon: iconUrl(app.metaIcon),
      meta_description: app.metaDescription,
      meta_publisher: app.metaPublisher,
      policy_engine_mode: app.policyEngineMode,
      group: app.group,
    };
  }));
}

async function checkBackchannelProviders(data: Json, ctx: ModelContext): Promise<void> {
  if (!Array.isArray(data.backchannel_providers)) return;
  const missing = await firstMissing(ctx.services.db, providers.id, data.backchannel_providers as number[]);
  if (missing !== undefined) throw ValidationError.field('backchannel_providers', doesNotExist(missing));
}

export const applicationModel: ModelDefinition<ApplicationRow> = {
  name: 'authentik_core.application',
  verboseName: 'Application',
  verboseNamePlural: 'Applications',
  table: applications,
  requestSchema: 'ApplicationRequest',
  pk: applications.pbmUuid,
  fields: {
    name: { column: applications.name },
    slug: { column: applications.slug },
    provider: { column: applications.providerId },
    open_in_new_tab: { column: applications.openInNewTab },
    meta_launch_url: { column: applications.metaLaunchUrl },
    meta_description: { column: applications.metaDescription },
    meta_publisher: { column: applications.metaPublisher },
    policy_engine_mode: { column: applications.policyEngineMode },
    group: { column: applications.group },
  },
  relations: { backchannel_providers: setBackchannelProviders },
  blueprintFields: {
    // authentik's blueprint-only `icon` sets the icon's name or URL as it is.
    icon: { columns: (value) => ({ metaIcon: value === null || value === '' ? null : String(value) }) },
  },
  displayName: (row) => row.name,
  serialize: serializeApplications,
  validate: (data, ctx) => checkBackchannelProviders(data, ctx),
};
