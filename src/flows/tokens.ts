import { and, eq, gt, or } from 'drizzle-orm';
import type { Services } from '../api/context.js';
import { tokens } from '../core/table.js';
import { generateKey } from '../core/users/api.js';
import { flowTokens } from './table.js';
import type { FlowPlan } from './plan.js';
import { PLAN_CONTEXT } from './stage.js';

/** The query parameter a flow link carries its token in (authentik's `QS_KEY_TOKEN`). */
export const QS_KEY_TOKEN = 'flow_token';

/** What a restored plan's `is_restored` holds: which token brought it back, and for whom it was made. */
export interface RestoredFrom {
  pk: string;
  identifier: string;
  user: number;
}

export interface NewFlowToken {
  identifier: string;
  userId: number;
  flowId: string;
  plan: FlowPlan;
  expires: Date;
  revokeOnExecution?: boolean;
}

/** Keeps `plan` behind a new token of intent `verification`; returns the token's key for the link. */
export async function createFlowToken(services: Services, token: NewFlowToken): Promise<string> {
  const key = generateKey(services.config.default_token_length);
  await services.db.transaction(async (tx) => {
    const [row] = await tx.insert(tokens).values({
      identifier: token.identifier, key, intent: 'verification', userId: token.userId, expires: token.expires, expiring: true,
    }).returning({ tokenUuid: tokens.tokenUuid });
    await tx.insert(flowTokens).values({
      tokenPtrId: row.tokenUuid, flowId: token.flowId, plan: JSON.stringify(token.plan), revokeOnExecution: token.revokeOnExecution ?? true,
    });
  });
  return key;
}

/**
 * authentik's `_check_flow_token`: the plan kept behind an unexpired flow token, marked `is_restored`. A token
 * revoked on execution is deleted in the same statement that reads it, so a link works once.
 */
export async function restoreFlowToken(services: Services, key: string): Promise<FlowPlan | undefined> {
  const valid = and(eq(tokens.key, key), or(eq(tokens.expiring, false), gt(tokens.expires, new Date())));
  const [found] = await services.db.select({ token: tokens, flowToken: flowTokens }).from(tokens)
    .innerJoin(flowTokens, eq(flowTokens.tokenPtrId, tokens.tokenUuid)).where(valid).limit(1);
  if (!found) return undefined;
  if (found.flowToken.revokeOnExecution) {
    const deleted = await services.db.delete(tokens).where(and(eq(tokens.tokenUuid, found.token.tokenUuid), valid)).returning({ id: tokens.tokenUuid });
    if (!deleted.length) return undefined;
  }
  let plan: FlowPlan;
  try {
    plan = JSON.parse(found.flowToken.plan) as FlowPlan;
  } catch {
    services.log.warn({ token: found.token.identifier }, 'f(exec): Failed to restore token plan');
    return undefined;
  }
  if (!plan || !Array.isArray(plan.bindings) || typeof plan.context !== 'object') return undefined;
  const restored: RestoredFrom = { pk: found.token.tokenUuid, identifier: found.token.identifier, user: found.token.userId };
  plan.context[PLAN_CONTEXT.IS_RESTORED] = restored;
  return plan;
}
