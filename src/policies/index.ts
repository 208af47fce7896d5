import type { DomainModule } from '../domain.js';
import { registerUsedByResolver } from '../api/used-by.js';
import type { Json, ModelDefinition } from '../api/model.js';
import { allPoliciesModel, allPoliciesViewSet } from './api.js';
import { policyBindingModel, policyBindingViewSet } from './bindings.js';
import { otherPolicyModels, policySubtypeModels } from './resolved.js';
import { bindingsUsedByResolver } from './targets.js';
import { dummyPolicyViewSet } from './dummy/api.js';
import { eventMatcherPolicyViewSet } from './event_matcher/api.js';
import { passwordExpiryPolicyViewSet } from './password_expiry/api.js';
import { expressionPolicyViewSet } from './expression/api.js';
import { passwordPolicyViewSet } from './password/api.js';
import { reputationPolicyViewSet, reputationScoreViewSet } from './reputation/api.js';

registerUsedByResolver(bindingsUsedByResolver(policyBindingModel as unknown as ModelDefinition<Json>));

export const policiesDomain = {
  name: 'policies',
  models: [allPoliciesModel, policyBindingModel, ...policySubtypeModels, ...otherPolicyModels],
  viewSets: [
    allPoliciesViewSet, policyBindingViewSet, dummyPolicyViewSet, eventMatcherPolicyViewSet, passwordExpiryPolicyViewSet,
    expressionPolicyViewSet, passwordPolicyViewSet, reputationScoreViewSet, reputationPolicyViewSet,
  ],
} satisfies DomainModule;
