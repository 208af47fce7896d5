import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN_PASSWORD, startTestApp, type TestApp } from '../../../test/support/app.js';
import { checkResponse } from '../../../test/support/contract.js';
import { FlowClient } from '../../flows/testing.js';
import { totalScore } from '../../policies/reputation/scores.js';

/** The reputation hooks of the login stages, through the executor: who failed and who succeeded, from where. */
describe('stages/identification, password, user_login: reputation', () => {
  let t: TestApp;
  const client = () => new FlowClient(t.app, checkResponse);

  before(async () => {
    t = await startTestApp();
    const flow = await t.api('POST', '/flows/instances/', { body: { name: 'rep', slug: 'rep-login', title: 'Login', designation: 'authentication' } });
    const password = await t.api('POST', '/stages/password/', { body: { name: 'rep-password', backends: ['authentik.core.auth.InbuiltBackend'] } });
    const ident = await t.api('POST', '/stages/identification/', {
      body: { name: 'rep-ident', user_fields: ['username'], password_stage: password.body.pk, pretend_user_exists: false },
    });
    const login = await t.api('POST', '/stages/user_login/', { body: { name: 'rep-user-login' } });
    for (const [order, stage] of [ident.body.pk, login.body.pk].entries()) {
      assert.equal((await t.api('POST', '/flows/bindings/', { body: { target: flow.body.pk, stage, order } })).status, 201);
    }
  });
  after(() => t.close());

  it('lowers the score of an unknown identifier and of a wrong password, and raises it on login', async () => {
    const c = client();
    await c.get('rep-login');
    const unknown = await c.post('rep-login', { uid_field: 'nobody-here', password: 'x' });
    assert.equal(unknown.body.component, 'ak-stage-identification');
    assert.equal(await totalScore(t.services, { identifier: 'nobody-here' }), -1);

    const wrong = await c.post('rep-login', { uid_field: 'akadmin', password: 'wrong-password' });
    assert.equal(wrong.body.component, 'ak-stage-identification');
    assert.equal(await totalScore(t.services, { identifier: 'akadmin' }), -1);

    const done = await c.post('rep-login', { uid_field: 'akadmin', password: ADMIN_PASSWORD });
    assert.equal(done.body.component, 'xak-flow-redirect');
    assert.equal(await totalScore(t.services, { identifier: 'akadmin' }), 0);
    assert.equal(await totalScore(t.services, { ip: '127.0.0.1' }), -1, 'scores are kept per client address too');
  });
});
