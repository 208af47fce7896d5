import { randomInt } from 'node:crypto';
import { inArray } from 'drizzle-orm';
import { result, type PolicyType } from '../types.js';
import { dummyPolicies } from './table.js';

export type DummyPolicyRow = typeof dummyPolicies.$inferSelect;

/** Resolves after `ms`, or early when the binding's timeout aborts the run. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });
}

/** Waits a random time in [wait_min, wait_max) seconds, then answers its configured result: for testing. */
export const dummyPolicyType: PolicyType<DummyPolicyRow> = {
  modelName: 'authentik_policies_dummy.dummypolicy',
  component: 'ak-policy-dummy-form',
  verboseName: 'Dummy Policy',
  verboseNamePlural: 'Dummy Policies',
  description: 'Policy used for debugging the PolicyEngine. Returns a fixed result, but takes a random time to process.',
  async load(services, ids) {
    const rows = await services.db.select().from(dummyPolicies).where(inArray(dummyPolicies.policyPtrId, ids));
    return new Map(rows.map((row) => [row.policyPtrId, row]));
  },
  async passes(row, _request, execution) {
    const low = Math.max(0, row.waitMin);
    const wait = row.waitMax > low ? randomInt(low, row.waitMax) : low;
    execution.log('Policy waiting', { delay: wait }, 'info');
    await sleep(wait * 1000, execution.signal);
    return result(row.result, 'dummy');
  },
};
