import { definePolicyModel } from '../models.js';
import { policyTypeViewSet } from '../viewsets.js';
import { dummyPolicyType, type DummyPolicyRow } from './policy.js';
import { dummyPolicies } from './table.js';
import type { PolicyRow } from '../models.js';

export const dummyPolicyModel = definePolicyModel<DummyPolicyRow>({
  type: dummyPolicyType,
  table: dummyPolicies,
  link: dummyPolicies.policyPtrId,
  requestSchema: 'DummyPolicyRequest',
  fields: {
    result: { column: dummyPolicies.result },
    wait_min: { column: dummyPolicies.waitMin },
    wait_max: { column: dummyPolicies.waitMax },
  },
  serialize: (row: PolicyRow & DummyPolicyRow) => ({ result: row.result, wait_min: row.waitMin, wait_max: row.waitMax }),
});

export const dummyPolicyViewSet = policyTypeViewSet(dummyPolicyModel, '/policies/dummy/', {
  result: dummyPolicies.result,
  wait_min: dummyPolicies.waitMin,
  wait_max: dummyPolicies.waitMax,
});
