import { and, inArray, isNotNull, isNull, sql } from 'drizzle-orm';
import type { ModelContext } from '../api/context.js';
import type { Json, ModelDefinition } from '../api/model.js';
import type { ViewSet } from '../api/viewset.js';
import { ErrorCollector, ValidationError } from '../api/errors.js';
import { filters } from '../api/filters.js';
import { groups, users } from '../core/table.js';
import { groupModel } from '../core/groups/model.js';
import { userModel } from '../core/users/model.js';
import { policies, policyBindings } from './table.js';
import { policyResultCache } from './cache.js';
import { serializeResolvedPolicies } from './resolved.js';
import { targetExists } from './targets.js';

export type PolicyBindingRow = typeof policyBindings.$inferSelect;

const UUID_RE = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

function kindOf(row: Pick<PolicyBindingRow, 'policyId' | 'groupId' | 'userId'>): string {
  if (row.policyId) return 'Policy';
  if (row.groupId) return 'Group';
  if (row.userId !== null && row.userId !== undefined) return 'User';
  return 'Invalid';
}

async function serializeBindings(rows: PolicyBindingRow[], ctx: ModelContext): Promise<Json[]> {
  const db = ctx.services.db;
  const policyIds = [...new Set(rows.map((r) => r.policyId).filter((id): id is string => Boolean(id)))];
  const groupIds = [...new Set(rows.map((r) => r.groupId).filter((id): id is string => Boolean(id)))];
  const userIds = [...new Set(rows.map((r) => r.userId).filter((id): id is number => id !== null))];
  const [policyRows, groupRows, userRows] = await Promise.all([
    policyIds.length ? db.select().from(policies).where(inArray(policies.policyUuid, policyIds)) : [],
    groupIds.length ? db.select().from(groups).where(inArray(groups.groupUuid, groupIds)) : [],
    userIds.length ? db.select().from(users).where(inArray(users.id, userIds)) : [],
  ]);
  const [policyOut, groupOut, userOut] = await Promise.all([
    serializeResolvedPolicies(policyRows, ctx),
    groupModel.serialize(groupRows, ctx),
    userModel.serialize(userRows, ctx),
  ]);
  const policyById = new Map(policyOut.map((p) => [p.pk, p]));
  const groupById = new Map(groupOut.map((g) => [g.pk, g]));
  const userById = new Map(userOut.map((u) => [u.pk, u]));
  return rows.map((row) => ({
    pk: row.policyBindingUuid,
    policy: row.policyId,
    group: row.groupId,
    user: row.userId,
    policy_obj: row.policyId ? policyById.get(row.policyId) ?? null : null,
    group_obj: row.groupId ? groupById.get(row.groupId) ?? null : null,
    user_obj: row.userId !== null ? userById.get(row.userId) ?? null : null,
    target: row.targetId,
    negate: row.negate,
    enabled: row.enabled,
    order: row.order,
    timeout: row.timeout,
    failure_result: row.failureResult,
  }));
}

/** authentik's `PolicyBindingSerializer.validate`: exactly one of policy, group and user; a target that exists. */
async function validateBinding(data: Json, ctx: ModelContext, existing: PolicyBindingRow | undefined): Promise<void> {
  const merged = {
    policy: 'policy' in data ? data.policy : existing?.policyId,
    group: 'group' in data ? data.group : existing?.groupId,
    user: 'user' in data ? data.user : existing?.userId,
  };
  const set = [merged.policy, merged.group, merged.user].filter((v) => v !== null && v !== undefined && v !== '' && v !== 0).length;
  if (set > 1) throw ValidationError.nonField("Only one of 'policy', 'group' or 'user' can be set.");
  if (set < 1) throw ValidationError.nonField("One of 'policy', 'group' or 'user' must be set.");
  if (typeof data.target === 'string' && data.target !== existing?.targetId && !(await targetExists(ctx.services, data.target))) {
    throw ValidationError.field('target', `Invalid pk "${data.target}" - object does not exist.`);
  }
  if (existing) policyResultCache.invalidateBindings([existing.policyBindingUuid]);
}

export const policyBindingModel: ModelDefinition<PolicyBindingRow> = {
  name: 'authentik_policies.policybinding',
  verboseName: 'Policy Binding',
  verboseNamePlural: 'Policy Bindings',
  table: policyBindings,
  pk: policyBindings.policyBindingUuid,
  requestSchema: 'PolicyBindingRequest',
  fields: {
    policy: { column: policyBindings.policyId },
    group: { column: policyBindings.groupId },
    user: { column: policyBindings.userId },
    target: { column: policyBindings.targetId },
    negate: { column: policyBindings.negate },
    enabled: { column: policyBindings.enabled },
    order: { column: policyBindings.order },
    timeout: { column: policyBindings.timeout },
    failure_result: { column: policyBindings.failureResult },
  },
  displayName: (row) => `Binding - #${row.order} to ${kindOf(row)}`,
  serialize: serializeBindings,
  validate: validateBinding,
};

/** django-filter's boolean parsing, with its message for anything else. */
export function parseBoolean(value: string): boolean {
  const lowered = value.toLowerCase();
  if (!['true', 'false', '1', '0'].includes(lowered)) throw ValidationError.field('non_field_errors', `"${value}" is not a valid boolean.`);
  return lowered === 'true' || lowered === '1';
}

/** `target_in`: django-filter's multiple choice, which names a value that is not a UUID. */
function targetIn(_value: string, _ctx: unknown, all: string[]) {
  const errors = new ErrorCollector();
  for (const value of all) if (!UUID_RE.test(value)) errors.add('target_in', `“${value}” is not a valid value.`);
  errors.throwIfAny();
  return inArray(policyBindings.targetId, all);
}

export const policyBindingViewSet: ViewSet<PolicyBindingRow> = {
  model: policyBindingModel,
  path: '/policies/bindings/',
  lookupParam: 'policy_binding_uuid',
  lookupColumn: policyBindings.policyBindingUuid,
  lookupType: 'uuid',
  filters: {
    enabled: filters.boolean(policyBindings.enabled),
    order: filters.integer(policyBindings.order),
    policy: filters.uuid(policyBindings.policyId),
    policy__isnull: (value) => (parseBoolean(value) ? isNull(policyBindings.policyId) : isNotNull(policyBindings.policyId)),
    // authentik searches `policy__name`, which is not a column of the bindings.
    search: (term) => and(isNotNull(policyBindings.policyId), sql`exists (select 1 from ${policies} where ${policies.policyUuid} = ${policyBindings.policyId}
      and ${policies.name} ilike ${`%${term.replace(/[\\%_]/g, '\\$&')}%`})`),
    target: filters.uuid(policyBindings.targetId),
    target_in: targetIn,
    timeout: filters.integer(policyBindings.timeout),
  },
  ordering: {
    order: policyBindings.order,
    pk: policyBindings.policyBindingUuid,
    target: policyBindings.targetId,
    timeout: policyBindings.timeout,
    enabled: policyBindings.enabled,
    negate: policyBindings.negate,
  },
  defaultOrdering: ['order'],
};
