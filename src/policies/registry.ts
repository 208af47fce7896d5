import type { PolicyType } from './types.js';
import { dummyPolicyType } from './dummy/policy.js';
import { eventMatcherPolicyType } from './event_matcher/policy.js';
import { passwordExpiryPolicyType } from './password_expiry/policy.js';
import { expressionPolicyType } from './expression/policy.js';
import { passwordPolicyType } from './password/policy.js';
import { reputationPolicyType } from './reputation/policy.js';

/** Every policy type the engine can run. */
export const policyTypes: PolicyType<any>[] = [
  dummyPolicyType,
  eventMatcherPolicyType,
  passwordExpiryPolicyType,
  expressionPolicyType,
  passwordPolicyType,
  reputationPolicyType,
];

const byModel = new Map(policyTypes.map((type) => [type.modelName, type]));

export function policyTypeFor(modelName: string): PolicyType<unknown> | undefined {
  return byModel.get(modelName);
}
