import { and, eq, exists, inArray, isNotNull, isNull, not, or, sql, type SQL } from 'drizzle-orm';
import type { ModelContext } from '../api/context.js';
import type { Json, ModelDefinition } from '../api/model.js';
import type { ViewSet } from '../api/viewset.js';
import { ValidationError } from '../api/errors.js';
import { applications, providers } from '../core/table.js';
import { serializeProviders, type ProviderRow } from '../core/applications/providers.js';
import { providerPropertyMappings } from '../propertymappings/table.js';
import type { Db } from '../db/database.js';
import { providerTypeFor, providerTypes } from './types.js';

/** The property mappings of each provider, in one query. */
export async function propertyMappingsOf(db: Db, providerIds: number[]): Promise<Map<number, string[]>> {
  const byProvider = new Map<number, string[]>();
  if (!providerIds.length) return byProvider;
  const rows = await db.select().from(providerPropertyMappings).where(inArray(providerPropertyMappings.providerId, providerIds));
  for (const row of rows) (byProvider.get(row.providerId) ?? byProvider.set(row.providerId, []).get(row.providerId)!).push(row.propertyMappingId);
  return byProvider;
}

/** authentik's base `ProviderSerializer` for any provider row, with its property mappings. */
export async function serializeProviderBase(db: Db, rows: ProviderRow[]): Promise<Json[]> {
  const [rendered, mappings] = await Promise.all([serializeProviders(db, rows), propertyMappingsOf(db, rows.map((r) => r.id))]);
  return rendered.map((item, i) => {
    const type = providerTypeFor(rows[i].model);
    return {
      ...item,
      property_mappings: mappings.get(rows[i].id) ?? [],
      ...(type ? { component: type.component, verbose_name: type.verboseName, verbose_name_plural: type.verboseNamePlural } : {}),
    };
  });
}

/** Replaces a provider's property mappings (a relation writer). */
export async function setProviderPropertyMappings(tx: Db, providerId: unknown, value: unknown): Promise<void> {
  const id = Number(providerId);
  await tx.delete(providerPropertyMappings).where(eq(providerPropertyMappings.providerId, id));
  const ids = [...new Set((value as string[] | null) ?? [])];
  if (ids.length) await tx.insert(providerPropertyMappings).values(ids.map((pm) => ({ providerId: id, propertyMappingId: pm })));
}

export const providerBaseModel: ModelDefinition<ProviderRow> = {
  name: 'authentik_core.provider',
  verboseName: 'Provider',
  verboseNamePlural: 'Providers',
  table: providers,
  pk: providers.id,
  fields: {
    name: { column: providers.name },
    authentication_flow: { column: providers.authenticationFlow },
    authorization_flow: { column: providers.authorizationFlow },
  },
  relations: { property_mappings: setProviderPropertyMappings },
  displayName: (row) => row.name,
  serialize: (rows: ProviderRow[], ctx: ModelContext) => serializeProviderBase(ctx.services.db, rows),
};

function booleanValue(field: string, value: string): boolean {
  const lowered = value.toLowerCase();
  if (!['true', 'false', '1', '0'].includes(lowered)) throw ValidationError.field(field, 'Enter a valid boolean.');
  return lowered === 'true' || lowered === '1';
}

function backchannelModels(): string[] {
  return providerTypes().filter((t) => t.backchannel).map((t) => t.modelName);
}

const isBackchannel = (): SQL => {
  const names = backchannelModels();
  return names.length ? inArray(providers.model, names) : sql`false`;
};

/** `/providers/all/`: every provider, whatever its type, as authentik's `ProviderViewSet`. */
export const allProvidersViewSet: ViewSet<ProviderRow> = {
  model: providerBaseModel,
  path: '/providers/all/',
  lookupParam: 'id',
  lookupColumn: providers.id,
  lookupType: 'integer',
  operations: ['list', 'retrieve', 'destroy', 'used_by'],
  filters: {
    application__isnull: (value) => {
      const used = exists(sql`(select 1 from ${applications} where ${applications.providerId} = ${providers.id})`);
      const unassigned = or(and(isBackchannel(), isNull(providers.backchannelApplication)), not(used));
      const assigned = or(and(isBackchannel(), isNotNull(providers.backchannelApplication)), used);
      return booleanValue('application__isnull', value) ? unassigned : assigned;
    },
    backchannel_only: (value) => (booleanValue('backchannel_only', value) ? isBackchannel() : not(isBackchannel())),
  },
  search: [providers.name, sql`(select ${applications.name} from ${applications} where ${applications.providerId} = ${providers.id})`],
  ordering: { name: providers.name },
  defaultOrdering: ['name'],
  actions: [
    {
      method: 'GET', path: 'types', detail: false, access: 'superuser',
      handler: async () => providerTypes()
        .map((type) => ({ name: type.verboseName, description: type.description, component: type.component, model_name: type.modelName.split('.')[1] }))
        .sort((a, b) => a.name.localeCompare(b.name)),
    },
  ],
};
