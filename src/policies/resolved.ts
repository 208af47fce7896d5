import { inArray } from 'drizzle-orm';
import type { ModelContext } from '../api/context.js';
import type { Json, ModelDefinition } from '../api/model.js';
import { selectRows } from '../api/inheritance.js';
import { policies } from './table.js';
import { serializePolicies, type PolicyRow } from './models.js';
import { dummyPolicyModel } from './dummy/api.js';
import { eventMatcherPolicyModel } from './event_matcher/api.js';
import { passwordExpiryPolicyModel } from './password_expiry/api.js';
import { expressionPolicyModel } from './expression/api.js';
import { passwordPolicyModel } from './password/api.js';
import { reputationModel, reputationPolicyModel } from './reputation/api.js';

/** Every policy type's model, for the API and blueprints. */
export const policySubtypeModels: ModelDefinition<any>[] = [
  dummyPolicyModel,
  eventMatcherPolicyModel,
  passwordExpiryPolicyModel,
  expressionPolicyModel,
  passwordPolicyModel,
  reputationPolicyModel,
];

/** Models of this folder that are not policies. */
export const otherPolicyModels: ModelDefinition<any>[] = [reputationModel];

const byName = new Map(policySubtypeModels.map((model) => [model.name, model]));

/**
 * Policies rendered by their own type's serializer, as authentik's `PolicySerializer` resolves inheritance for
 * `/policies/all/` and a binding's `policy_obj`. Order is kept.
 */
export async function serializeResolvedPolicies(rows: PolicyRow[], ctx: ModelContext): Promise<Json[]> {
  const byModel = new Map<string, string[]>();
  for (const row of rows) (byModel.get(row.model) ?? byModel.set(row.model, []).get(row.model)!).push(row.policyUuid);
  const rendered = new Map<string, Json>();
  await Promise.all([...byModel].map(async ([modelName, ids]) => {
    const model = byName.get(modelName);
    if (!model) return;
    const full = (await selectRows(ctx.services.db, model).where(inArray(policies.policyUuid, ids))) as Json[];
    for (const item of await model.serialize(full, ctx)) rendered.set(String(item.pk), item);
  }));
  const missing = rows.filter((row) => !rendered.has(row.policyUuid));
  for (const item of await serializePolicies(missing, ctx)) rendered.set(String(item.pk), item);
  return rows.map((row) => rendered.get(row.policyUuid)!);
}
