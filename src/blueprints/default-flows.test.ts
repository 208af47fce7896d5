import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { ADMIN_PASSWORD, startTestApp, type TestApp } from '../../test/support/app.js';
import { checkResponse } from '../../test/support/contract.js';
import { FlowClient } from '../flows/testing.js';
import { discoverBlueprints } from './discovery.js';
import { blueprintInstances } from './table.js';
import { startBlueprintDiscovery } from './tasks.js';

/**
 * A first start as `ak server` makes it: bootstrap (the test template), then the blueprint discovery that the
 * server starts once it listens, over the blueprints we ship. Everything after goes through the HTTP API only.
 */
describe('blueprints/default flows at first start', () => {
  let t: TestApp;
  const client = () => new FlowClient(t.app, checkResponse);
  const AUTH = 'default-authentication-flow';

  before(async () => {
    t = await startTestApp((config) => {
      config.blueprints_dir = resolve('blueprints');
    });
    const stop = startBlueprintDiscovery(t.services);
    await stop();
  });
  after(() => t.close());

  it('applies the default flows and the default tenant from YAML', async () => {
    const instances = await t.api('GET', '/managed/blueprints/?page_size=100');
    const status = Object.fromEntries(instances.body.results.map((i: { path: string; status: string }) => [i.path, i.status]));
    for (const path of ['default/default-tenant.yaml', 'default/flow-default-authentication-flow.yaml', 'default/flow-default-invalidation-flow.yaml']) {
      assert.equal(status[path], 'successful', `${path}: ${JSON.stringify(instances.body.results.find((i: { path: string }) => i.path === path))}`);
    }
    const flow = await t.api('GET', `/flows/instances/${AUTH}/`);
    assert.equal(flow.body.designation, 'authentication');
    assert.equal(flow.body.title, 'Welcome to authentik!');
    const bindings = await t.api('GET', `/flows/bindings/?target=${flow.body.pk}&ordering=order`);
    assert.deepEqual(bindings.body.results.map((b: { order: number; stage_obj: { name: string } }) => [b.order, b.stage_obj.name]), [
      [10, 'default-authentication-identification'], [20, 'default-authentication-password'], [30, 'default-authentication-mfa-validation'],
      [100, 'default-authentication-login'],
    ]);

    const tenant = await t.api('GET', '/core/tenants/?default=true');
    assert.equal(tenant.body.results.length, 1);
    const invalidation = await t.api('GET', '/flows/instances/default-invalidation-flow/');
    assert.equal(tenant.body.results[0].flow_authentication, flow.body.pk);
    assert.equal(tenant.body.results[0].flow_invalidation, invalidation.body.pk);
    const redirect = await t.inject({ method: 'GET', url: '/flows/-/default/authentication/' });
    assert.equal(redirect.statusCode, 302);
    assert.match(String(redirect.headers.location), new RegExp(`/if/flow/${AUTH}/`));
  });

  it('logs akadmin in with username or email and a password, and out through the invalidation flow', async () => {
    for (const uid of ['akadmin', 'admin@example.test']) {
      const c = client();
      const identification = await c.get(AUTH);
      assert.equal(identification.body.component, 'ak-stage-identification');
      assert.deepEqual(identification.body.user_fields, ['email', 'username']);
      const password = await c.post(AUTH, { component: 'ak-stage-identification', uid_field: uid });
      assert.equal(password.body.component, 'ak-stage-password', JSON.stringify(password.body));
      const wrong = await c.post(AUTH, { component: 'ak-stage-password', password: 'not the password' });
      assert.equal(wrong.body.component, 'ak-stage-password');
      assert.ok(wrong.body.response_errors.password);
      const done = await c.post(AUTH, { component: 'ak-stage-password', password: ADMIN_PASSWORD });
      assert.equal(done.body.component, 'xak-flow-redirect', JSON.stringify(done.body));
      const me = await c.api('GET', '/core/users/me/');
      assert.equal(me.status, 200);
      assert.equal(me.body.user.username, 'akadmin');

      const logout = await c.get('default-invalidation-flow');
      assert.equal(logout.body.component, 'xak-flow-redirect', JSON.stringify(logout.body));
      assert.equal((await c.api('GET', '/core/users/me/')).status, 403);
    }
  });

  it('asks for a code once the user set up recovery codes through the shipped setup flow', async () => {
    const login = async (c: FlowClient) => {
      await c.get(AUTH);
      await c.post(AUTH, { uid_field: 'akadmin' });
      return c.post(AUTH, { password: ADMIN_PASSWORD });
    };
    const c = client();
    assert.equal((await login(c)).body.component, 'xak-flow-redirect');
    const setup = await c.get('default-authenticator-static-setup');
    assert.equal(setup.body.component, 'ak-stage-authenticator-static', JSON.stringify(setup.body));
    assert.equal(setup.body.codes.length, 6);
    assert.equal((await c.post('default-authenticator-static-setup', {})).body.component, 'xak-flow-redirect');
    const totp = await c.get('default-authenticator-totp-setup');
    assert.equal(totp.body.component, 'ak-stage-authenticator-totp', 'the TOTP setup flow applied too');

    const again = client();
    const validation = await login(again);
    assert.equal(validation.body.component, 'ak-stage-authenticator-validate', JSON.stringify(validation.body));
    assert.deepEqual(validation.body.device_challenges.map((d: { device_class: string }) => d.device_class), ['static']);
    assert.equal((await again.post(AUTH, { code: setup.body.codes[0] })).body.component, 'xak-flow-redirect');
    assert.equal((await again.api('GET', '/core/users/me/')).body.user.username, 'akadmin');
  });

  it('applies nothing again on the next start when no file changed', async () => {
    const before = await t.services.db.select().from(blueprintInstances);
    const summary = await discoverBlueprints(t.services);
    assert.deepEqual([summary.created, summary.applied, summary.failed, summary.removed], [[], [], [], []]);
    assert.ok(summary.files >= before.length);
    const afterwards = await t.services.db.select().from(blueprintInstances);
    assert.deepEqual(afterwards.map((i) => [i.path, i.lastApplied]).sort(), before.map((i) => [i.path, i.lastApplied]).sort());
  });
});
