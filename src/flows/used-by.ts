import { eq, or } from 'drizzle-orm';
import type { Json, ModelDefinition } from '../api/model.js';
import { models } from '../api/registry.js';
import { registerUsedByResolver, usedByEntry, type UsedByEntry } from '../api/used-by.js';
import { providers, tenants } from '../core/table.js';

/**
 * Tenants and providers name flows by uuid without a foreign key (their tables came first): `used_by` of a flow
 * lists them as authentik does, with what a delete would do to them.
 */
export function registerFlowUsedBy(flowModel: ModelDefinition<Json>): void {
  registerUsedByResolver(async (ctx, model, pk) => {
    if (model.name !== flowModel.name || typeof pk !== 'string') return [];
    const db = ctx.services.db;
    const out: UsedByEntry[] = [];
    const tenantModel = models.forTable('authentik_tenants_tenant');
    if (tenantModel) {
      const rows = await db.select().from(tenants).where(or(
        eq(tenants.flowAuthentication, pk), eq(tenants.flowInvalidation, pk), eq(tenants.flowRecovery, pk),
        eq(tenants.flowUnenrollment, pk), eq(tenants.flowUserSettings, pk), eq(tenants.flowDeviceCode, pk),
      ));
      for (const row of rows) out.push(usedByEntry(tenantModel, row as Json, 'SET_NULL'));
    }
    const providerModel = models.forTable('authentik_core_provider');
    if (providerModel) {
      const rows = await db.select().from(providers).where(or(eq(providers.authenticationFlow, pk), eq(providers.authorizationFlow, pk)));
      for (const row of rows) out.push(usedByEntry(providerModel, row as Json, row.authorizationFlow === pk ? 'CASCADE' : 'SET_NULL'));
    }
    return out;
  });
}
