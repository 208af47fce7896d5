import { asc, desc, sql } from 'drizzle-orm';
import type { FastifyRequest } from 'fastify';
import type { Config } from '../../config/index.js';
import { executeRows, type Db } from '../../db/database.js';
import { throughSnapshot, type MaySnapshot } from '../../db/snapshot.js';
import type { Json } from '../../api/model.js';
import { tenants } from '../table.js';
import { TENANT_FLOW_FIELDS, type TenantRow } from './model.js';

/** What authentik serves when no tenant exists at all (its `DEFAULT_TENANT`, domain `fallback`). */
export const FALLBACK_TENANT_UUID = '00000000-0000-0000-0000-000000000000';

function fallbackTenant(): TenantRow {
  return {
    tenantUuid: FALLBACK_TENANT_UUID,
    domain: 'fallback',
    default: false,
    brandingTitle: 'authentik',
    brandingLogo: '/static/dist/assets/icons/icon_left_brand.svg',
    brandingFavicon: '/static/dist/assets/icons/icon.png',
    flowAuthentication: null,
    flowInvalidation: null,
    flowRecovery: null,
    flowUnenrollment: null,
    flowUserSettings: null,
    flowDeviceCode: null,
    eventRetention: 'days=365',
    webCertificate: null,
    attributes: {},
  };
}

/**
 * The tenant of a request, as authentik's `get_tenant_for_request`: a tenant whose domain the request's host
 * (with its port, as Django's `get_host`) ends with, case-insensitively, before the default tenant; the longest
 * domain wins among several. Without any tenant, authentik's built-in fallback.
 */
export function tenantForHost(services: MaySnapshot & { db: Db }, host: string): Promise<TenantRow> {
  return throughSnapshot(services, `tenant:${host.toLowerCase()}`, () => findTenant(services.db, host));
}

async function findTenant(db: Db, host: string): Promise<TenantRow> {
  const matches = sql`(right(lower(${host}), length(${tenants.domain})) = lower(${tenants.domain}) or ${tenants.default})`;
  const [tenant] = await db.select().from(tenants).where(matches)
    .orderBy(asc(tenants.default), desc(sql`length(${tenants.domain})`), asc(tenants.domain)).limit(1);
  return tenant ?? fallbackTenant();
}

/** Slugs of flows by uuid; none until the flows table exists. */
async function flowSlugs(db: Db, ids: string[]): Promise<Map<string, string>> {
  if (!ids.length) return new Map();
  const [exists] = await executeRows<{ found: boolean }>(db, sql`select to_regclass('authentik_flows_flow') is not null as "found"`);
  if (!exists?.found) return new Map();
  const list = sql.join(ids.map((id) => sql`${id}::uuid`), sql`, `);
  const rows = await executeRows<{ id: string; slug: string }>(db, sql`select flow_uuid::text as "id", slug from authentik_flows_flow where flow_uuid in (${list})`);
  return new Map(rows.map((r) => [r.id, r.slug]));
}

const THEMES = new Set(['automatic', 'light', 'dark']);

function footerLinks(config: Config): { href: string; name: string }[] {
  const links = Array.isArray(config.footer_links) ? config.footer_links : [];
  return links.filter((link): link is Record<string, unknown> => typeof link === 'object' && link !== null)
    .map((link) => ({ href: String(link.href ?? ''), name: String(link.name ?? '') }));
}

function setting(attributes: Record<string, unknown>, ...path: string[]): unknown {
  let node: unknown = attributes;
  for (const key of path) node = node && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined;
  return node;
}

/**
 * authentik's `CurrentTenantSerializer`: branding, footer links from the `footer_links` setting, the theme and
 * locale from `attributes.settings`, and the slugs of the tenant's flows; a flow that is not set is left out.
 */
export async function currentTenant(db: Db, config: Config, request: FastifyRequest): Promise<Json> {
  const tenant = await tenantForHost({ db }, request.host);
  const flowIds: Record<string, string | null> = {
    flow_authentication: tenant.flowAuthentication,
    flow_invalidation: tenant.flowInvalidation,
    flow_recovery: tenant.flowRecovery,
    flow_unenrollment: tenant.flowUnenrollment,
    flow_user_settings: tenant.flowUserSettings,
    flow_device_code: tenant.flowDeviceCode,
  };
  const slugs = await flowSlugs(db, Object.values(flowIds).filter((id): id is string => Boolean(id)));
  const theme = setting(tenant.attributes, 'settings', 'theme', 'base');
  const locale = setting(tenant.attributes, 'settings', 'locale');
  const body: Json = {
    matched_domain: tenant.domain,
    branding_title: tenant.brandingTitle,
    branding_logo: tenant.brandingLogo,
    branding_favicon: tenant.brandingFavicon,
    ui_footer_links: footerLinks(config),
    ui_theme: typeof theme === 'string' && THEMES.has(theme) ? theme : 'automatic',
  };
  for (const field of TENANT_FLOW_FIELDS) {
    const slug = flowIds[field] ? slugs.get(flowIds[field]!) : undefined;
    if (slug !== undefined) body[field] = slug;
  }
  body.default_locale = typeof locale === 'string' ? locale : '';
  return body;
}
