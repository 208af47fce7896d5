import { definePolicyModel, type PolicyRow } from '../models.js';
import { policyTypeViewSet } from '../viewsets.js';
import { eventMatcherPolicyType, type EventMatcherPolicyRow } from './policy.js';
import { eventMatcherPolicies } from './table.js';

/** Blank means "any", as authentik's serializer turns "" into null. */
const blankToNull = (value: unknown) => (value === '' ? null : value);

export const eventMatcherPolicyModel = definePolicyModel<EventMatcherPolicyRow>({
  type: eventMatcherPolicyType,
  table: eventMatcherPolicies,
  link: eventMatcherPolicies.policyPtrId,
  requestSchema: 'EventMatcherPolicyRequest',
  fields: {
    action: { column: eventMatcherPolicies.action, parse: blankToNull },
    app: { column: eventMatcherPolicies.app, parse: blankToNull },
    model: { column: eventMatcherPolicies.matchModel, parse: blankToNull },
    client_ip: { column: eventMatcherPolicies.clientIp, parse: blankToNull },
  },
  serialize: (row: PolicyRow & EventMatcherPolicyRow) => ({ action: row.action, client_ip: row.clientIp, app: row.app, model: row.matchModel }),
});

export const eventMatcherPolicyViewSet = policyTypeViewSet(eventMatcherPolicyModel, '/policies/event_matcher/', {
  action: eventMatcherPolicies.action,
  app: eventMatcherPolicies.app,
  model: eventMatcherPolicies.matchModel,
  client_ip: eventMatcherPolicies.clientIp,
});
