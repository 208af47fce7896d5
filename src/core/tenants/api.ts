import type { FastifyInstance } from 'fastify';
import type { Services } from '../../api/context.js';
import type { ContextFactory, ViewSet } from '../../api/viewset.js';
import { registerEndpoint } from '../../api/endpoint.js';
import { filters } from '../../api/filters.js';
import { tenants } from '../table.js';
import { tenantModel, type TenantRow } from './model.js';
import { currentTenant } from './current.js';

export const tenantViewSet: ViewSet<TenantRow> = {
  model: tenantModel,
  path: '/core/tenants/',
  lookupParam: 'tenant_uuid',
  lookupColumn: tenants.tenantUuid,
  lookupType: 'uuid',
  requestSchema: 'TenantRequest',
  filters: {
    tenant_uuid: filters.uuid(tenants.tenantUuid),
    domain: filters.exact(tenants.domain),
    default: filters.boolean(tenants.default),
    branding_title: filters.exact(tenants.brandingTitle),
    branding_logo: filters.exact(tenants.brandingLogo),
    branding_favicon: filters.exact(tenants.brandingFavicon),
    flow_authentication: filters.uuid(tenants.flowAuthentication),
    flow_invalidation: filters.uuid(tenants.flowInvalidation),
    flow_recovery: filters.uuid(tenants.flowRecovery),
    flow_unenrollment: filters.uuid(tenants.flowUnenrollment),
    flow_user_settings: filters.uuid(tenants.flowUserSettings),
    flow_device_code: filters.uuid(tenants.flowDeviceCode),
    event_retention: filters.exact(tenants.eventRetention),
    web_certificate: filters.uuid(tenants.webCertificate),
  },
  search: [tenants.domain, tenants.brandingTitle],
  ordering: {
    tenant_uuid: tenants.tenantUuid, domain: tenants.domain, default: tenants.default, branding_title: tenants.brandingTitle,
    branding_logo: tenants.brandingLogo, branding_favicon: tenants.brandingFavicon, event_retention: tenants.eventRetention,
  },
  defaultOrdering: ['domain'],
};

/** `/core/tenants/current/`: open to anyone, since the login page is styled by it. */
export function tenantRoutes(app: FastifyInstance, services: Services, makeContext: ContextFactory): void {
  registerEndpoint(app, services, makeContext, {
    path: '/core/tenants/current/',
    access: 'public',
    methods: { GET: (ctx) => currentTenant(ctx.services.db, ctx.services.config, ctx.request) },
  });
}
