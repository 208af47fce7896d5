import { eq, sql } from 'drizzle-orm';
import type { ModelDefinition } from '../api/model.js';
import type { ViewSet } from '../api/viewset.js';
import { ValidationError } from '../api/errors.js';
import { users } from '../core/table.js';
import { policies, policyBindings } from './table.js';
import { invalidatePolicyCache, policyModel, type PolicyRow } from './models.js';
import { serializeResolvedPolicies } from './resolved.js';
import { policyTypes } from './registry.js';
import { policyResultCache } from './cache.js';
import { runPolicy } from './engine.js';
import { policyHttpRequest } from './http.js';
import { parseBoolean } from './bindings.js';

/** The base model as `/policies/all/` shows it: each policy rendered by its own type. */
export const allPoliciesModel: ModelDefinition<PolicyRow> = { ...policyModel, serialize: serializeResolvedPolicies };

export const allPoliciesViewSet: ViewSet<PolicyRow> = {
  model: allPoliciesModel,
  path: '/policies/all/',
  lookupParam: 'policy_uuid',
  lookupColumn: policies.policyUuid,
  lookupType: 'uuid',
  operations: ['list', 'retrieve', 'destroy', 'used_by'],
  filters: {
    bindings__isnull: (value) => {
      const bound = sql`exists (select 1 from ${policyBindings} where ${policyBindings.policyId} = ${policies.policyUuid})`;
      return parseBoolean(value) ? sql`not ${bound}` : bound;
    },
  },
  search: [policies.name],
  ordering: { name: policies.name },
  defaultOrdering: ['name'],
  async beforeDestroy(tx, row) {
    await invalidatePolicyCache(tx, row.policyUuid);
  },
  actions: [
    {
      method: 'GET', path: 'types', detail: false, access: 'superuser',
      handler: async () => policyTypes
        .map((type) => ({ name: type.verboseName, description: type.description, component: type.component, model_name: type.modelName.split('.')[1] }))
        .sort((a, b) => a.name.localeCompare(b.name)),
    },
    { method: 'GET', path: 'cache_info', detail: false, access: 'superuser', handler: async () => ({ count: policyResultCache.count() }) },
    {
      method: 'POST', path: 'cache_clear', detail: false, access: 'superuser',
      async handler() {
        policyResultCache.clear();
        return { status: 204 };
      },
    },
    {
      method: 'POST', path: 'test', detail: true, access: 'superuser', requestSchema: 'PolicyTestRequest',
      async handler(ctx, policy, body) {
        const [user] = await ctx.services.db.select().from(users).where(eq(users.id, Number(body.user))).limit(1);
        if (!user) throw ValidationError.field('user', `Invalid pk "${String(body.user)}" - object does not exist.`);
        const result = await runPolicy(ctx.services, policy!, {
          user,
          debug: true,
          context: (body.context as Record<string, unknown> | undefined) ?? {},
          httpRequest: policyHttpRequest(ctx.request, ctx.principal.sessionKey),
        });
        return { passing: result.passing, messages: result.messages, log_messages: result.logMessages ?? [] };
      },
    },
  ],
};
