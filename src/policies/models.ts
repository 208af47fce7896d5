import { count, eq, inArray } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import type { ModelContext } from '../api/context.js';
import type { Json, ModelDefinition, WritableField } from '../api/model.js';
import { ValidationError } from '../api/errors.js';
import type { Db } from '../db/database.js';
import { policies, policyBindings } from './table.js';
import { policyTypeFor } from './registry.js';
import { policyResultCache } from './cache.js';
import type { PolicyType } from './types.js';

export type PolicyRow = typeof policies.$inferSelect;

/** How many bindings use each policy (`bound_to`). */
export async function boundCounts(db: Db, ids: string[]): Promise<Map<string, number>> {
  if (!ids.length) return new Map();
  const rows = await db.select({ id: policyBindings.policyId, total: count() }).from(policyBindings)
    .where(inArray(policyBindings.policyId, ids)).groupBy(policyBindings.policyId);
  return new Map(rows.map((r) => [r.id!, Number(r.total)]));
}

/** The fields of authentik's `PolicySerializer`, for any policy row. */
export function serializePolicyBase(row: PolicyRow, bound: Map<string, number>): Json {
  const type = policyTypeFor(row.model);
  return {
    pk: row.policyUuid,
    name: row.name,
    execution_logging: row.executionLogging,
    component: type?.component ?? '',
    verbose_name: type?.verboseName ?? 'Policy',
    verbose_name_plural: type?.verboseNamePlural ?? 'Policies',
    meta_model_name: row.model,
    bound_to: bound.get(row.policyUuid) ?? 0,
  };
}

export async function serializePolicies(rows: PolicyRow[], ctx: ModelContext): Promise<Json[]> {
  const bound = await boundCounts(ctx.services.db, rows.map((r) => r.policyUuid));
  return rows.map((row) => serializePolicyBase(row, bound));
}

/** Policy names are unique across every type: DRF names the base model in its message. */
async function checkName(db: Db, name: unknown, existing: PolicyRow | undefined): Promise<void> {
  if (typeof name !== 'string') return;
  const [clash] = await db.select({ id: policies.policyUuid }).from(policies).where(eq(policies.name, name)).limit(1);
  if (clash && clash.id !== existing?.policyUuid) throw ValidationError.field('name', 'Policy with this name already exists.');
}

/** Results cached for the bindings of a changed policy are stale. */
export async function invalidatePolicyCache(db: Db, policyUuid: string): Promise<void> {
  const bindings = await db.select({ uuid: policyBindings.policyBindingUuid }).from(policyBindings).where(eq(policyBindings.policyId, policyUuid));
  policyResultCache.invalidateBindings(bindings.map((b) => b.uuid));
}

export const policyModel: ModelDefinition<PolicyRow> = {
  name: 'authentik_policies.policy',
  verboseName: 'Policy',
  verboseNamePlural: 'Policies',
  table: policies,
  pk: policies.policyUuid,
  fields: { name: { column: policies.name }, execution_logging: { column: policies.executionLogging } },
  displayName: (row) => row.name,
  serialize: serializePolicies,
};

/** What a subtype's model needs to know of its policy type. */
export type PolicyTypeInfo = Pick<PolicyType<unknown>, 'modelName' | 'component' | 'verboseName' | 'verboseNamePlural'>;

export interface PolicySubtype<Own extends Json> {
  type: PolicyTypeInfo;
  table: PgTable;
  /** The subtype table's `policy_ptr_id`. */
  link: PgColumn;
  requestSchema: string;
  fields: Record<string, WritableField>;
  serialize(row: PolicyRow & Own): Json;
  validate?(data: Json, ctx: ModelContext, existing: (PolicyRow & Own) | undefined): Promise<void> | void;
}

/** A policy type's model: its own table over the shared base, serialized as authentik's `PolicySerializer` + its fields. */
export function definePolicyModel<Own extends Json>(subtype: PolicySubtype<Own>): ModelDefinition<PolicyRow & Own> {
  const [app, modelName] = subtype.type.modelName.split('.');
  return {
    name: `${app}.${modelName}`,
    verboseName: subtype.type.verboseName,
    verboseNamePlural: subtype.type.verboseNamePlural,
    table: subtype.table,
    parent: { table: policies, pk: policies.policyUuid, link: subtype.link, values: { model: subtype.type.modelName } },
    requestSchema: subtype.requestSchema,
    pk: policies.policyUuid,
    fields: {
      name: { column: policies.name },
      execution_logging: { column: policies.executionLogging },
      ...subtype.fields,
    },
    displayName: (row) => row.name,
    async serialize(rows, ctx) {
      const bound = await boundCounts(ctx.services.db, rows.map((r) => r.policyUuid));
      return rows.map((row) => ({ ...serializePolicyBase(row, bound), ...subtype.serialize(row) }));
    },
    async validate(data, ctx, existing) {
      await checkName(ctx.services.db, data.name, existing);
      await subtype.validate?.(data, ctx, existing);
      if (existing) await invalidatePolicyCache(ctx.services.db, existing.policyUuid);
    },
  };
}
