import { inArray } from 'drizzle-orm';
import { result, type PolicyType } from '../types.js';
import { reputationPolicies } from './table.js';
import { totalScore, UNKNOWN_IP } from './scores.js';

export type ReputationPolicyRow = typeof reputationPolicies.$inferSelect;

/** Passes when the summed score of the client's IP and/or the user's name is at or below the threshold. */
export const reputationPolicyType: PolicyType<ReputationPolicyRow> = {
  modelName: 'authentik_policies_reputation.reputationpolicy',
  component: 'ak-policy-reputation-form',
  verboseName: 'Reputation Policy',
  verboseNamePlural: 'Reputation Policies',
  description: "Return true if request IP/target username's score is below a certain threshold",
  async load(services, ids) {
    const rows = await services.db.select().from(reputationPolicies).where(inArray(reputationPolicies.policyPtrId, ids));
    return new Map(rows.map((row) => [row.policyPtrId, row]));
  },
  async passes(row, request, execution) {
    const remoteIp = request.httpRequest?.ip || UNKNOWN_IP;
    const username = request.user?.username;
    const score = await totalScore(execution.services, {
      ip: row.checkIp ? remoteIp : undefined,
      identifier: row.checkUsername && username ? username : undefined,
    });
    const passing = score <= row.threshold;
    execution.log('Score for user', { username: username ?? '', remote_ip: remoteIp, score, passing });
    return result(passing);
  },
};
