import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { startTestApp, type TestApp } from '../../test/support/app.js';
import { applications, groups, users } from '../core/table.js';
import { usedBy } from '../api/used-by.js';
import { systemContext } from '../api/context.js';
import { models } from '../api/registry.js';

describe('policies/api', () => {
  let t: TestApp;
  let app: { pbmUuid: string; slug: string };
  let userPk: number;

  before(async () => {
    t = await startTestApp();
    [app] = await t.services.db.insert(applications).values({ name: 'Bound app', slug: 'bound-app' }).returning();
    [{ id: userPk }] = await t.services.db.insert(users).values({ username: 'policy-tester' }).returning();
  });
  after(() => t.close());

  const dummy = async (name: string, result = true) => {
    const res = await t.api('POST', '/policies/dummy/', { body: { name, result, wait_min: 0, wait_max: 1 } });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.body;
  };

  it('creates, lists, updates and deletes a dummy policy', async () => {
    const created = await dummy('dummy-crud', true);
    assert.equal(created.component, 'ak-policy-dummy-form');
    assert.equal(created.meta_model_name, 'authentik_policies_dummy.dummypolicy');
    assert.equal(created.verbose_name, 'Dummy Policy');
    assert.equal(created.bound_to, 0);
    assert.equal(created.result, true);
    const patched = await t.api('PATCH', `/policies/dummy/${created.pk}/`, { body: { result: false, name: 'dummy-crud-2' } });
    assert.equal(patched.status, 200);
    assert.equal(patched.body.result, false);
    assert.equal(patched.body.name, 'dummy-crud-2');
    const listed = await t.api('GET', '/policies/dummy/?result=false&search=crud');
    assert.deepEqual(listed.body.results.map((p: { pk: string }) => p.pk), [created.pk]);
    assert.equal((await t.api('DELETE', `/policies/dummy/${created.pk}/`)).status, 204);
    assert.equal((await t.api('GET', `/policies/all/${created.pk}/`)).status, 404);
  });

  it('refuses a duplicate name across types with the base model in the message', async () => {
    await dummy('dummy-dup');
    const dup = await t.api('POST', '/policies/dummy/', { body: { name: 'dummy-dup' } });
    assert.equal(dup.status, 400);
    assert.deepEqual(dup.body, { name: ['Policy with this name already exists.'] });
  });

  it('lists every policy in /all/ with its own fields, and the types', async () => {
    const policy = await dummy('dummy-all', false);
    const all = await t.api('GET', '/policies/all/?search=dummy-all');
    assert.equal(all.body.results.length, 1);
    assert.equal(all.body.results[0].pk, policy.pk);
    assert.equal(all.body.results[0].result, false);
    const types = await t.api('GET', '/policies/all/types/');
    assert.equal(types.status, 200);
    const dummyType = types.body.find((entry: { model_name: string }) => entry.model_name === 'dummypolicy');
    assert.equal(dummyType.component, 'ak-policy-dummy-form');
    const names = types.body.map((entry: { name: string }) => entry.name);
    assert.deepEqual(names, [...names].sort());
  });

  it('validates bindings as authentik does', async () => {
    const policy = await dummy('dummy-bind');
    const [group] = await t.services.db.insert(groups).values({ name: 'binding-group' }).returning();
    const none = await t.api('POST', '/policies/bindings/', { body: { target: app.pbmUuid, order: 0 } });
    assert.equal(none.status, 400);
    assert.deepEqual(none.body, { non_field_errors: ["One of 'policy', 'group' or 'user' must be set."] });
    const two = await t.api('POST', '/policies/bindings/', { body: { target: app.pbmUuid, order: 0, policy: policy.pk, group: group.groupUuid } });
    assert.deepEqual(two.body, { non_field_errors: ["Only one of 'policy', 'group' or 'user' can be set."] });
    const missingTarget = randomUUID();
    const badTarget = await t.api('POST', '/policies/bindings/', { body: { target: missingTarget, order: 0, policy: policy.pk } });
    assert.deepEqual(badTarget.body, { target: [`Invalid pk "${missingTarget}" - object does not exist.`] });
    const missingPolicy = randomUUID();
    const badPolicy = await t.api('POST', '/policies/bindings/', { body: { target: app.pbmUuid, order: 0, policy: missingPolicy } });
    assert.equal(badPolicy.status, 400);
    assert.deepEqual(Object.keys(badPolicy.body), ['policy']);
    const missingOrder = await t.api('POST', '/policies/bindings/', { body: { target: app.pbmUuid, policy: policy.pk } });
    assert.deepEqual(missingOrder.body, { order: ['This field is required.'] });

    const ok = await t.api('POST', '/policies/bindings/', { body: { target: app.pbmUuid, order: 0, policy: policy.pk } });
    assert.equal(ok.status, 201);
    assert.equal(ok.body.policy_obj.name, 'dummy-bind');
    assert.equal(ok.body.policy_obj.result, true);
    assert.equal(ok.body.timeout, 30);
    assert.equal(ok.body.failure_result, false);
    const again = await t.api('POST', '/policies/bindings/', { body: { target: app.pbmUuid, order: 0, policy: policy.pk } });
    assert.deepEqual(again.body, { non_field_errors: ['The fields policy, target, order must make a unique set.'] });

    const byGroup = await t.api('POST', '/policies/bindings/', { body: { target: app.pbmUuid, order: 1, group: group.groupUuid } });
    assert.equal(byGroup.status, 201);
    assert.equal(byGroup.body.group_obj.name, 'binding-group');
    const toUser = await t.api('PATCH', `/policies/bindings/${byGroup.body.pk}/`, { body: { user: userPk } });
    assert.deepEqual(toUser.body, { non_field_errors: ["Only one of 'policy', 'group' or 'user' can be set."] });
    const switched = await t.api('PATCH', `/policies/bindings/${byGroup.body.pk}/`, { body: { user: userPk, group: null } });
    assert.equal(switched.status, 200);
    assert.equal(switched.body.user_obj.username, 'policy-tester');

    const listed = await t.api('GET', `/policies/bindings/?target=${app.pbmUuid}&ordering=order`);
    assert.deepEqual(listed.body.results.map((b: { order: number }) => b.order), [0, 1]);
    const searched = await t.api('GET', '/policies/bindings/?search=dummy-bi');
    assert.equal(searched.body.results.length, 1);
    assert.equal((await t.api('GET', `/policies/bindings/?target_in=${app.pbmUuid}&policy__isnull=true`)).body.results.length, 1);
    const badIn = await t.api('GET', '/policies/bindings/?target_in=nope');
    assert.equal(badIn.status, 400);

    const bound = await t.api('GET', `/policies/all/${policy.pk}/`);
    assert.equal(bound.body.bound_to, 1);
    const unbound = await t.api('GET', '/policies/all/?bindings__isnull=true&search=dummy-bind');
    assert.equal(unbound.body.results.length, 0);
  });

  it('reports bindings in used_by of the policy and of the target', async () => {
    const policy = await dummy('dummy-used');
    const binding = await t.api('POST', '/policies/bindings/', { body: { target: app.pbmUuid, order: 50, policy: policy.pk } });
    const used = await t.api('GET', `/policies/all/${policy.pk}/used_by/`);
    assert.equal(used.status, 200);
    assert.deepEqual(used.body.map((u: { pk: string; model_name: string; action: string }) => [u.model_name, u.pk, u.action]), [['policybinding', binding.body.pk, 'CASCADE']]);
    const viaType = await t.api('GET', `/policies/dummy/${policy.pk}/used_by/`);
    assert.equal(viaType.body.length, 1);
    const appUsers = await usedBy(systemContext(t.services), models.get('authentik_core.user')!, -1);
    assert.deepEqual(appUsers, []);
    const applicationModel = {
      ...models.get('authentik_policies.policybinding')!, name: 'authentik_core.application', table: applications, pk: applications.pbmUuid,
    };
    const targetUse = await usedBy(systemContext(t.services), applicationModel, app.pbmUuid);
    assert.ok(targetUse.some((u) => u.pk === binding.body.pk && u.model_name === 'policybinding'));
  });

  it('tests a policy for a user and returns its log', async () => {
    const policy = await dummy('dummy-test', true);
    const res = await t.api('POST', `/policies/all/${policy.pk}/test/`, { body: { user: userPk, context: { foo: 'bar' } } });
    assert.equal(res.status, 200);
    assert.equal(res.body.passing, true);
    assert.deepEqual(res.body.messages, ['dummy']);
    assert.ok(res.body.log_messages.some((l: { event: string }) => l.event === 'Policy waiting'));
    // The schema declares this 400 without a body; authentik sends the serializer's errors all the same.
    const missing = await t.api('POST', `/policies/all/${policy.pk}/test/`, { body: { user: 999999 }, unchecked: true });
    assert.equal(missing.status, 400);
    assert.deepEqual(missing.body, { user: ['Invalid pk "999999" - object does not exist.'] });
  });

  it('reports and clears the result cache', async () => {
    const info = await t.api('GET', '/policies/all/cache_info/');
    assert.equal(info.status, 200);
    assert.equal(typeof info.body.count, 'number');
    assert.equal((await t.api('POST', '/policies/all/cache_clear/')).status, 204);
    assert.equal((await t.api('GET', '/policies/all/cache_info/')).body.count, 0);
  });

  it('keeps policies to superusers', async () => {
    const [plain] = await t.services.db.insert(users).values({ username: 'plain-policy-user' }).returning();
    void plain;
    const res = await t.api('GET', '/policies/all/', { token: null });
    assert.equal(res.status, 403);
  });
});
