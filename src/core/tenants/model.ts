import { and, eq, ne } from 'drizzle-orm';
import type { Json, ModelDefinition } from '../../api/model.js';
import { ErrorCollector } from '../../api/errors.js';
import { tenants } from '../table.js';

export type TenantRow = typeof tenants.$inferSelect;

export const TENANT_FLOW_FIELDS = [
  'flow_authentication', 'flow_invalidation', 'flow_recovery', 'flow_unenrollment', 'flow_user_settings', 'flow_device_code',
] as const;

const DURATION_KEYS = new Set(['microseconds', 'milliseconds', 'seconds', 'minutes', 'hours', 'days', 'weeks']);

/** authentik's `timedelta_string_validator`: `key=number` pairs split by `;`, at least one known key. */
export function isDurationString(value: string): boolean {
  let known = 0;
  for (const pair of value.split(';')) {
    const parts = pair.split('=');
    if (parts.length !== 2) return false;
    const amount = parts[1].trim();
    if (amount === '' || !Number.isFinite(Number(amount))) return false;
    if (DURATION_KEYS.has(parts[0].toLowerCase())) known += 1;
  }
  return known > 0;
}

export function tenantName(row: Pick<TenantRow, 'default' | 'domain'>): string {
  return row.default ? 'Default tenant' : `Tenant ${row.domain}`;
}

function serializeTenant(row: TenantRow): Json {
  return {
    tenant_uuid: row.tenantUuid,
    domain: row.domain,
    default: row.default,
    branding_title: row.brandingTitle,
    branding_logo: row.brandingLogo,
    branding_favicon: row.brandingFavicon,
    flow_authentication: row.flowAuthentication,
    flow_invalidation: row.flowInvalidation,
    flow_recovery: row.flowRecovery,
    flow_unenrollment: row.flowUnenrollment,
    flow_user_settings: row.flowUserSettings,
    flow_device_code: row.flowDeviceCode,
    event_retention: row.eventRetention,
    web_certificate: row.webCertificate,
    attributes: row.attributes,
  };
}

export const tenantModel: ModelDefinition<TenantRow> = {
  name: 'authentik_tenants.tenant',
  verboseName: 'Tenant',
  verboseNamePlural: 'Tenants',
  table: tenants,
  requestSchema: 'TenantRequest',
  pk: tenants.tenantUuid,
  fields: {
    domain: { column: tenants.domain },
    default: { column: tenants.default },
    branding_title: { column: tenants.brandingTitle },
    branding_logo: { column: tenants.brandingLogo },
    branding_favicon: { column: tenants.brandingFavicon },
    // Flows and certificates are referred to by uuid; their tables belong to other domains.
    flow_authentication: { column: tenants.flowAuthentication },
    flow_invalidation: { column: tenants.flowInvalidation },
    flow_recovery: { column: tenants.flowRecovery },
    flow_unenrollment: { column: tenants.flowUnenrollment },
    flow_user_settings: { column: tenants.flowUserSettings },
    flow_device_code: { column: tenants.flowDeviceCode },
    event_retention: { column: tenants.eventRetention },
    web_certificate: { column: tenants.webCertificate },
    attributes: { column: tenants.attributes },
  },
  displayName: tenantName,
  serialize: async (rows) => rows.map(serializeTenant),
  async validate(data, ctx, existing) {
    const errors = new ErrorCollector();
    if (typeof data.event_retention === 'string' && !isDurationString(data.event_retention)) {
      errors.add('event_retention', `${data.event_retention} is not in the correct format of 'hours=3;minutes=1'.`);
    }
    if ('attributes' in data && (typeof data.attributes !== 'object' || data.attributes === null || Array.isArray(data.attributes))) {
      errors.add('attributes', 'Expected a dictionary of items.');
    }
    if (data.default === true) {
      const others = await ctx.services.db.select({ id: tenants.tenantUuid }).from(tenants)
        .where(and(eq(tenants.default, true), existing ? ne(tenants.tenantUuid, existing.tenantUuid) : undefined)).limit(1);
      if (others.length) errors.add('default', 'Only a single Tenant can be set as default.');
    }
    errors.throwIfAny();
  },
};
