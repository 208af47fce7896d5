import { ValidationError } from '../../api/errors.js';
import { definePolicyModel, type PolicyRow } from '../models.js';
import { policyTypeViewSet } from '../viewsets.js';
import { expressionPolicyType, type ExpressionPolicyRow } from './policy.js';
import { expressionPolicies } from './table.js';
import { expressionSyntaxError } from './evaluate.js';

export const expressionPolicyModel = definePolicyModel<ExpressionPolicyRow>({
  type: expressionPolicyType,
  table: expressionPolicies,
  link: expressionPolicies.policyPtrId,
  requestSchema: 'ExpressionPolicyRequest',
  fields: { expression: { column: expressionPolicies.expression } },
  serialize: (row: PolicyRow & ExpressionPolicyRow) => ({ expression: row.expression }),
  async validate(data) {
    if (typeof data.expression !== 'string') return;
    const error = await expressionSyntaxError(data.expression);
    if (error) throw ValidationError.field('expression', error);
  },
});

export const expressionPolicyViewSet = policyTypeViewSet(expressionPolicyModel, '/policies/expression/', {
  expression: expressionPolicies.expression,
});
