import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from '../../../test/support/app.js';
import { users } from '../../core/table.js';
import { recordEvent } from '../../events/record.js';
import { evaluatePolicyList } from '../engine.js';
import { createPolicy, testPolicy } from '../test-helpers.js';

describe('policies/event_matcher', () => {
  let t: TestApp;
  let user: number;

  before(async () => {
    t = await startTestApp();
    [{ id: user }] = await t.services.db.insert(users).values({ username: 'matcher' }).returning();
  });
  after(() => t.close());

  it('stores blank criteria as empty and refuses unknown choices', async () => {
    const policy = await createPolicy(t, 'event_matcher', { name: 'blank', action: null, app: null, client_ip: null, model: null });
    assert.deepEqual([policy.action, policy.app, policy.client_ip, policy.model], [null, null, null, null]);
    const bad = await t.api('POST', '/policies/event_matcher/', { body: { name: 'bad', action: 'not_an_action' } });
    assert.equal(bad.status, 400);
    assert.ok(bad.body.action);
  });

  it('matches every set criterion of the event in the context', async () => {
    const policy = await createPolicy(t, 'event_matcher', {
      name: 'failed-logins', action: 'login_failed', app: 'authentik.stages.password', client_ip: '192.0.2.1',
    });
    const event = { action: 'login_failed', app: 'authentik.stages.password', client_ip: '192.0.2.1', context: {} };
    const yes = await testPolicy(t, policy.pk, user, { event });
    assert.equal(yes.passing, true);
    assert.deepEqual(yes.messages, ['Action matched.', 'Client IP matched.', 'App matched.']);
    assert.equal((await testPolicy(t, policy.pk, user, { event: { ...event, client_ip: '192.0.2.2' } })).passing, false);
    assert.equal((await testPolicy(t, policy.pk, user, {})).passing, false, 'no event, no match');
  });

  it('matches the model of a recorded event', async () => {
    const policy = await createPolicy(t, 'event_matcher', { name: 'user-changes', model: 'authentik_core.user' });
    const created = await recordEvent(t.services, {
      action: 'model_created', app: 'authentik.core', user: { pk: user, username: 'matcher' },
      context: { model: { app: 'authentik_core', model_name: 'user', pk: user, name: 'matcher' } },
    });
    const result = await evaluatePolicyList(t.services, [policy.pk], { user: null, context: { event: created } });
    assert.equal(result.passing, true);
    const other = await recordEvent(t.services, { action: 'model_created', app: 'authentik.core', context: { model: { app: 'authentik_core', model_name: 'group' } } });
    assert.equal((await evaluatePolicyList(t.services, [policy.pk], { user: null, context: { event: other } })).passing, false);
  });
});
