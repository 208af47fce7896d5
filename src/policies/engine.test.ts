import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { startTestApp, type TestApp } from '../../test/support/app.js';
import { groups, userGroups, users } from '../core/table.js';
import { events } from '../events/table.js';
import { policies, policyBindings } from './table.js';
import { dummyPolicies } from './dummy/table.js';
import { evaluateBindings, evaluatePolicyList } from './engine.js';
import { policyResultCache } from './cache.js';
import { deleteBindingsOf } from './targets.js';
import type { UserRow } from './types.js';

describe('policies/engine', () => {
  let t: TestApp;
  let user: UserRow;
  let other: UserRow;

  async function dummy(name: string, result: boolean, options: { waitMin?: number; waitMax?: number; executionLogging?: boolean } = {}) {
    const [policy] = await t.services.db.insert(policies).values({ name, model: 'authentik_policies_dummy.dummypolicy', executionLogging: options.executionLogging ?? false }).returning();
    await t.services.db.insert(dummyPolicies).values({ policyPtrId: policy.policyUuid, result, waitMin: options.waitMin ?? 0, waitMax: options.waitMax ?? 0 });
    return policy.policyUuid;
  }

  async function bind(target: string, order: number, what: { policyId?: string; groupId?: string; userId?: number }, options: Partial<typeof policyBindings.$inferInsert> = {}) {
    const [binding] = await t.services.db.insert(policyBindings).values({ targetId: target, order, ...what, ...options }).returning();
    return binding;
  }

  const run = (target: string, mode: 'all' | 'any', who: UserRow | null = user, options = {}) =>
    evaluateBindings(t.services, { pbmUuid: target, policyEngineMode: mode }, { user: who, context: {} }, options);

  before(async () => {
    t = await startTestApp();
    [user] = await t.services.db.insert(users).values({ username: 'engine-user' }).returning();
    [other] = await t.services.db.insert(users).values({ username: 'engine-other' }).returning();
  });
  after(() => t.close());
  beforeEach(() => policyResultCache.clear());

  it('passes a target without bindings, and ignores disabled bindings', async () => {
    const target = randomUUID();
    assert.deepEqual((await run(target, 'all')).passing, true);
    await bind(target, 0, { policyId: await dummy('disabled-false', false) }, { enabled: false });
    assert.equal((await run(target, 'all')).passing, true);
  });

  it('combines with all/any and collects messages in binding order', async () => {
    const target = randomUUID();
    await bind(target, 10, { policyId: await dummy('mix-true', true) });
    await bind(target, 5, { policyId: await dummy('mix-false', false) });
    const all = await run(target, 'all');
    assert.equal(all.passing, false);
    assert.deepEqual(all.messages, ['dummy', 'dummy']);
    assert.equal(all.sourceResults?.[0].passing, false);
    assert.equal((await run(target, 'any')).passing, true);
  });

  it('negates a binding, but not its messages', async () => {
    const target = randomUUID();
    await bind(target, 0, { policyId: await dummy('negated-false', false) }, { negate: true });
    const result = await run(target, 'all');
    assert.equal(result.passing, true);
    assert.deepEqual(result.messages, ['dummy']);
  });

  it('binds users and groups, with parent groups counting', async () => {
    const [parent] = await t.services.db.insert(groups).values({ name: 'engine-parent' }).returning();
    const [child] = await t.services.db.insert(groups).values({ name: 'engine-child', parentId: parent.groupUuid }).returning();
    await t.services.db.insert(userGroups).values({ userId: user.id, groupId: child.groupUuid });
    const groupTarget = randomUUID();
    await bind(groupTarget, 0, { groupId: parent.groupUuid });
    assert.equal((await run(groupTarget, 'all', user)).passing, true);
    assert.equal((await run(groupTarget, 'all', other)).passing, false);
    assert.equal((await run(groupTarget, 'all', null)).passing, false);

    const userTarget = randomUUID();
    await bind(userTarget, 0, { userId: other.id });
    assert.equal((await run(userTarget, 'all', other)).passing, true);
    assert.equal((await run(userTarget, 'all', user)).passing, false);
  });

  it('gives failure_result to a policy that overruns its timeout', async () => {
    const target = randomUUID();
    const slow = await dummy('slow-true', true, { waitMin: 5, waitMax: 6 });
    await bind(target, 0, { policyId: slow }, { timeout: 1, failureResult: false });
    const started = Date.now();
    const result = await run(target, 'all');
    assert.equal(result.passing, false);
    assert.ok(Date.now() - started < 3000, 'the engine did not wait for the slow policy');

    const lenient = randomUUID();
    await bind(lenient, 0, { policyId: slow }, { timeout: 1, failureResult: true, negate: true });
    assert.equal((await run(lenient, 'all')).passing, true, 'failure_result is not negated');
    const [exception] = await t.services.db.select().from(events).where(eq(events.action, 'policy_exception'));
    assert.match(String(exception.context.message), /timed out/);
    assert.equal(exception.app, 'authentik.policies');
  });

  it('caches results per binding and user, unless told not to', async () => {
    const target = randomUUID();
    const policy = await dummy('cached', true);
    await bind(target, 0, { policyId: policy });
    assert.equal((await run(target, 'all')).passing, true);
    await t.services.db.update(dummyPolicies).set({ result: false }).where(eq(dummyPolicies.policyPtrId, policy));
    assert.equal((await run(target, 'all')).passing, true, 'cached for this user');
    assert.equal((await run(target, 'all', other)).passing, false, 'not for another user');
    assert.equal((await run(target, 'all', user, { useCache: false })).passing, false);
    assert.ok(policyResultCache.count() >= 2);
  });

  it('records an event per execution when execution_logging is on', async () => {
    const target = randomUUID();
    const policy = await dummy('logged', true, { executionLogging: true });
    await bind(target, 0, { policyId: policy });
    await evaluateBindings(t.services, { pbmUuid: target, policyEngineMode: 'all' }, {
      user, context: {}, httpRequest: { ip: '192.0.2.7', userAgent: 'test-agent', host: 'localhost', path: '/flows/x/', method: 'GET' },
    });
    const logged = (await t.services.db.select().from(events).where(eq(events.action, 'policy_execution')))
      .filter((e) => e.context.policy_uuid === policy.replace(/-/g, ''));
    assert.equal(logged.length, 1);
    assert.equal(logged[0].clientIp, '192.0.2.7');
    assert.deepEqual(logged[0].context.result, { passing: true, messages: ['dummy'] });
    assert.equal((logged[0].user as { username: string }).username, 'engine-user');
  });

  it('evaluates an unbound list of policies in order, all by default', async () => {
    const yes = await dummy('list-true', true);
    const no = await dummy('list-false', false);
    assert.equal((await evaluatePolicyList(t.services, [yes], { user, context: {} })).passing, true);
    assert.equal((await evaluatePolicyList(t.services, [yes, no], { user, context: {} })).passing, false);
    assert.equal((await evaluatePolicyList(t.services, [yes, no], { user, context: {} }, 'any')).passing, true);
  });

  it('deletes the bindings of a deleted target', async () => {
    const target = randomUUID();
    await bind(target, 0, { policyId: await dummy('target-gone', false) });
    assert.equal(await deleteBindingsOf(t.services.db, target), 1);
    assert.equal((await run(target, 'all')).passing, true);
  });
});
