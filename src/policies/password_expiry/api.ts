import { definePolicyModel, type PolicyRow } from '../models.js';
import { policyTypeViewSet } from '../viewsets.js';
import { passwordExpiryPolicyType, type PasswordExpiryPolicyRow } from './policy.js';
import { passwordExpiryPolicies } from './table.js';

export const passwordExpiryPolicyModel = definePolicyModel<PasswordExpiryPolicyRow>({
  type: passwordExpiryPolicyType,
  table: passwordExpiryPolicies,
  link: passwordExpiryPolicies.policyPtrId,
  requestSchema: 'PasswordExpiryPolicyRequest',
  fields: { days: { column: passwordExpiryPolicies.days }, deny_only: { column: passwordExpiryPolicies.denyOnly } },
  serialize: (row: PolicyRow & PasswordExpiryPolicyRow) => ({ days: row.days, deny_only: row.denyOnly }),
});

export const passwordExpiryPolicyViewSet = policyTypeViewSet(passwordExpiryPolicyModel, '/policies/password_expiry/', {
  days: passwordExpiryPolicies.days,
  deny_only: passwordExpiryPolicies.denyOnly,
});
