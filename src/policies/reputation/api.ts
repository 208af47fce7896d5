import { definePolicyModel, type PolicyRow } from '../models.js';
import { policyTypeViewSet, exactFilters } from '../viewsets.js';
import type { ModelDefinition } from '../../api/model.js';
import type { ViewSet } from '../../api/viewset.js';
import { timestampOut } from '../../api/model.js';
import { reputationPolicyType, type ReputationPolicyRow } from './policy.js';
import { reputationPolicies, reputations } from './table.js';

export const reputationPolicyModel = definePolicyModel<ReputationPolicyRow>({
  type: reputationPolicyType,
  table: reputationPolicies,
  link: reputationPolicies.policyPtrId,
  requestSchema: 'ReputationPolicyRequest',
  fields: {
    check_ip: { column: reputationPolicies.checkIp },
    check_username: { column: reputationPolicies.checkUsername },
    threshold: { column: reputationPolicies.threshold },
  },
  serialize: (row: PolicyRow & ReputationPolicyRow) => ({ check_ip: row.checkIp, check_username: row.checkUsername, threshold: row.threshold }),
});

export const reputationPolicyViewSet = policyTypeViewSet(reputationPolicyModel, '/policies/reputation/', {
  check_ip: reputationPolicies.checkIp,
  check_username: reputationPolicies.checkUsername,
  threshold: reputationPolicies.threshold,
});

export type ReputationRow = typeof reputations.$inferSelect;

export const reputationModel: ModelDefinition<ReputationRow> = {
  name: 'authentik_policies_reputation.reputation',
  verboseName: 'Reputation Score',
  verboseNamePlural: 'Reputation Scores',
  table: reputations,
  pk: reputations.reputationUuid,
  fields: {},
  displayName: (row) => `Reputation ${row.identifier}/${row.ip} @ ${row.score}`,
  serialize: async (rows) => rows.map((row) => ({
    pk: row.reputationUuid,
    identifier: row.identifier,
    ip: row.ip,
    ip_geo_data: row.ipGeoData,
    ip_asn_data: row.ipAsnData,
    score: row.score,
    updated: timestampOut(row.updated),
  })),
};

/** `/policies/reputation/scores/`: read and delete only, as authentik's. */
export const reputationScoreViewSet: ViewSet<ReputationRow> = {
  model: reputationModel,
  path: '/policies/reputation/scores/',
  lookupParam: 'reputation_uuid',
  lookupColumn: reputations.reputationUuid,
  lookupType: 'uuid',
  operations: ['list', 'retrieve', 'destroy', 'used_by'],
  filters: exactFilters({ identifier: reputations.identifier, ip: reputations.ip, score: reputations.score }),
  search: [reputations.identifier, reputations.ip],
  ordering: { ip: reputations.ip, identifier: reputations.identifier, score: reputations.score, updated: reputations.updated },
  defaultOrdering: ['ip'],
};
