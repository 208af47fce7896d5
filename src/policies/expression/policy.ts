import { eq, inArray } from 'drizzle-orm';
import { policies } from '../table.js';
import type { PolicyType } from '../types.js';
import { expressionPolicies } from './table.js';
import { evaluateExpressionPolicy } from './evaluate.js';

export type ExpressionPolicyRow = typeof expressionPolicies.$inferSelect;
type LoadedExpressionPolicy = ExpressionPolicyRow & { name: string };

/** Runs the admin's Python expression in the sandbox. */
export const expressionPolicyType: PolicyType<LoadedExpressionPolicy> = {
  modelName: 'authentik_policies_expression.expressionpolicy',
  component: 'ak-policy-expression-form',
  verboseName: 'Expression Policy',
  verboseNamePlural: 'Expression Policies',
  description: 'Implement custom logic using python.',
  async load(services, ids) {
    const rows = await services.db.select({ policyPtrId: expressionPolicies.policyPtrId, expression: expressionPolicies.expression, name: policies.name })
      .from(expressionPolicies).innerJoin(policies, eq(policies.policyUuid, expressionPolicies.policyPtrId))
      .where(inArray(expressionPolicies.policyPtrId, ids));
    return new Map(rows.map((row) => [row.policyPtrId, row]));
  },
  passes(row, request, execution) {
    return evaluateExpressionPolicy(row.name, row.expression, request, execution);
  },
};
