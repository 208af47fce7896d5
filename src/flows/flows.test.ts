import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN_TOKEN, startTestApp, type TestApp } from '../../test/support/app.js';
import { checkResponse } from '../../test/support/contract.js';
import { FlowClient } from './testing.js';

describe('flows/api', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp();
  });
  after(() => t.close());

  async function flow(slug: string, extra: Record<string, unknown> = {}) {
    const res = await t.api('POST', '/flows/instances/', { body: { name: `Flow ${slug}`, slug, title: slug, designation: 'authentication', ...extra } });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.body;
  }

  it('creates flows with authentik defaults and validates them', async () => {
    const created = await flow('api-flow');
    assert.equal(created.policy_engine_mode, 'any');
    assert.equal(created.layout, 'stacked');
    assert.equal(created.denied_action, 'message_continue');
    assert.equal(created.authentication, 'none');
    assert.equal(created.compatibility_mode, false);
    assert.equal(created.background, '/static/dist/assets/images/flow_background.jpg');
    assert.equal(created.export_url, '/api/v3/flows/instances/api-flow/export/');
    assert.notEqual(created.pk, created.policybindingmodel_ptr_id);
    assert.deepEqual([created.stages, created.policies, created.cache_count], [[], [], 0]);

    const dup = await t.api('POST', '/flows/instances/', { body: { name: 'x', slug: 'api-flow', title: 'x', designation: 'authentication' } });
    assert.equal(dup.status, 400);
    assert.ok(dup.body.slug);
    const bad = await t.api('POST', '/flows/instances/', { body: { name: 'x', slug: 'not a slug', title: 'x', designation: 'nope' } });
    assert.equal(bad.status, 400);
    assert.deepEqual(Object.keys(bad.body).sort(), ['designation', 'slug']);

    const patched = await t.api('PATCH', '/flows/instances/api-flow/', { body: { layout: 'sidebar_left', title: 'New title' } });
    assert.equal(patched.body.layout, 'sidebar_left');
    const list = await t.api('GET', '/flows/instances/?designation=authentication&search=api-fl');
    assert.deepEqual(list.body.results.map((f: { slug: string }) => f.slug), ['api-flow']);
    assert.equal((await t.api('GET', '/flows/instances/?designation=bogus')).status, 400);
    const anonymous = await t.api('GET', '/flows/instances/', { token: null });
    assert.equal(anonymous.status, 403);
  });

  it('binds stages, lists them through /stages/all/ and refuses a duplicate binding', async () => {
    const target = await flow('api-bindings');
    const dummy = await t.api('POST', '/stages/dummy/', { body: { name: 'api-dummy' } });
    assert.equal(dummy.status, 201);
    assert.equal(dummy.body.component, 'ak-stage-dummy-form');
    assert.equal(dummy.body.meta_model_name, 'authentik_stages_dummy.dummystage');
    assert.equal(dummy.body.verbose_name, 'Dummy Stage');
    const sameName = await t.api('POST', '/stages/deny/', { body: { name: 'api-dummy' } });
    assert.equal(sameName.status, 400);
    assert.ok(sameName.body.name);

    const binding = await t.api('POST', '/flows/bindings/', { body: { target: target.pk, stage: dummy.body.pk, order: 10 } });
    assert.equal(binding.status, 201, JSON.stringify(binding.body));
    assert.equal(binding.body.evaluate_on_plan, false);
    assert.equal(binding.body.re_evaluate_policies, true);
    assert.equal(binding.body.invalid_response_action, 'retry');
    assert.equal(binding.body.stage_obj.name, 'api-dummy');
    assert.equal(binding.body.stage_obj.throw_error, false);
    const dup = await t.api('POST', '/flows/bindings/', { body: { target: target.pk, stage: dummy.body.pk, order: 10 } });
    assert.equal(dup.status, 400);
    assert.deepEqual(dup.body.non_field_errors, ['The fields target, stage, order must make a unique set.']);
    const missing = await t.api('POST', '/flows/bindings/', { body: { target: target.pk, stage: '00000000-0000-4000-8000-000000000000', order: 1 } });
    assert.equal(missing.status, 400);
    assert.ok(missing.body.stage);

    const listed = await t.api('GET', `/flows/bindings/?target=${target.pk}`);
    assert.equal(listed.body.pagination.count, 1);
    assert.equal((await t.api('GET', '/flows/bindings/?search=api-dum')).body.pagination.count, 1);
    const withFlow = await t.api('GET', '/flows/instances/api-bindings/');
    assert.deepEqual(withFlow.body.stages, [dummy.body.pk]);
    const stage = await t.api('GET', `/stages/all/${dummy.body.pk}/`);
    assert.equal(stage.body.component, 'ak-stage-dummy-form');
    assert.deepEqual(stage.body.flow_set.map((f: { slug: string }) => f.slug), ['api-bindings']);
    const all = await t.api('GET', '/stages/all/?search=api-');
    assert.ok(all.body.results.some((s: { meta_model_name: string }) => s.meta_model_name === 'authentik_stages_dummy.dummystage'));

    const usedBy = await t.api('GET', `/stages/all/${dummy.body.pk}/used_by/`);
    assert.deepEqual(usedBy.body.map((u: { model_name: string; action: string }) => [u.model_name, u.action]), [['flowstagebinding', 'CASCADE']]);
    const flowUsedBy = await t.api('GET', '/flows/instances/api-bindings/used_by/');
    assert.ok(flowUsedBy.body.some((u: { model_name: string }) => u.model_name === 'flowstagebinding'));

    assert.equal((await t.api('DELETE', `/stages/all/${dummy.body.pk}/`)).status, 204);
    assert.equal((await t.api('GET', `/flows/bindings/${binding.body.pk}/`)).status, 404);
  });

  it('lists stage types and user settings', async () => {
    const types = await t.api('GET', '/stages/all/types/');
    const names = types.body.map((type: { model_name: string }) => type.model_name);
    for (const name of ['identificationstage', 'passwordstage', 'userloginstage', 'userlogoutstage', 'denystage', 'dummystage']) assert.ok(names.includes(name), name);
    const configure = await flow('api-password-change', { designation: 'stage_configuration' });
    const password = await t.api('POST', '/stages/password/', {
      body: { name: 'api-password', backends: ['authentik.core.auth.InbuiltBackend'], configure_flow: configure.pk },
    });
    assert.equal(password.status, 201, JSON.stringify(password.body));
    const settings = await t.api('GET', '/stages/all/user_settings/');
    assert.deepEqual(settings.body, [{
      object_uid: password.body.pk, component: 'ak-user-settings-password', title: 'Password Stage', configure_url: `/flows/-/configure/${password.body.pk}/`,
    }]);
    const noBackends = await t.api('POST', '/stages/password/', { body: { name: 'api-password-2', backends: [] } });
    assert.equal(noBackends.status, 400);
    const badDuration = await t.api('POST', '/stages/user_login/', { body: { name: 'api-login', session_duration: 'forever' } });
    assert.equal(badDuration.status, 400);
    assert.ok(badDuration.body.session_duration);
    const noFields = await t.api('POST', '/stages/identification/', { body: { name: 'api-ident', user_fields: [] } });
    assert.equal(noFields.status, 400);
    assert.ok(noFields.body.non_field_errors);
  });

  it('answers cache, diagram, background and execute actions', async () => {
    const target = await flow('api-actions');
    const stage = await t.api('POST', '/stages/dummy/', { body: { name: 'api-actions-dummy' } });
    await t.api('POST', '/flows/bindings/', { body: { target: target.pk, stage: stage.body.pk, order: 0 } });
    const c = new FlowClient(t.app, checkResponse);
    assert.equal((await c.get('api-actions')).body.component, 'ak-stage-dummy');
    assert.ok((await t.api('GET', '/flows/instances/cache_info/')).body.count >= 1);
    assert.equal((await t.api('GET', '/flows/instances/api-actions/')).body.cache_count, 1);
    assert.equal((await t.api('POST', '/flows/instances/cache_clear/')).status, 204);
    assert.equal((await t.api('GET', '/flows/instances/cache_info/')).body.count, 0);

    const diagram = await t.api('GET', '/flows/instances/api-actions/diagram/');
    assert.match(diagram.body.diagram, /^graph TD/);
    assert.match(diagram.body.diagram, /api-actions-dummy/);

    assert.equal((await t.api('POST', '/flows/instances/api-actions/set_background_url/', { body: { url: 'https://example.test/bg.png' } })).status, 200);
    assert.equal((await t.api('GET', '/flows/instances/api-actions/')).body.background, 'https://example.test/bg.png');

    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(32)]);
    const boundary = '----flowbackground';
    const multipart = (parts: string[]) => Buffer.concat([...parts.map((p) => Buffer.from(p)), Buffer.from(`--${boundary}--\r\n`)]);
    const upload = await t.inject({
      method: 'POST', url: '/api/v3/flows/instances/api-actions/set_background/',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': `multipart/form-data; boundary=${boundary}` },
      payload: Buffer.concat([
        Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="../../bg.png"\r\nContent-Type: image/png\r\n\r\n`), png, Buffer.from('\r\n'),
        multipart([]),
      ]),
    });
    assert.equal(upload.statusCode, 200, upload.body);
    const uploaded = (await t.api('GET', '/flows/instances/api-actions/')).body.background;
    assert.match(uploaded, /^\/media\/flow-backgrounds\/[0-9a-f]{24}\.png$/);
    assert.equal((await t.inject({ method: 'GET', url: uploaded })).statusCode, 200);
    const notImage = await t.inject({
      method: 'POST', url: '/api/v3/flows/instances/api-actions/set_background/',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': `multipart/form-data; boundary=${boundary}` },
      payload: multipart([`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="x.png"\r\n\r\n<script>alert(1)</script>\r\n`]),
    });
    assert.equal(notImage.statusCode, 400);
    const cleared = await t.inject({
      method: 'POST', url: '/api/v3/flows/instances/api-actions/set_background/',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': `multipart/form-data; boundary=${boundary}` },
      payload: multipart([`--${boundary}\r\nContent-Disposition: form-data; name="clear"\r\n\r\ntrue\r\n`]),
    });
    assert.equal(cleared.statusCode, 200);
    assert.equal((await t.api('GET', '/flows/instances/api-actions/')).body.background, '/static/dist/assets/images/flow_background.jpg');

    const executed = await t.api('GET', '/flows/instances/api-actions/execute/');
    assert.equal(executed.status, 200);
    assert.match(executed.body.link, /\/if\/flow\/api-actions\/$/);
  });

  it('shows the inspector to superusers after a flow ran in the session', async () => {
    const target = await flow('api-inspect');
    const stage = await t.api('POST', '/stages/dummy/', { body: { name: 'api-inspect-dummy' } });
    await t.api('POST', '/flows/bindings/', { body: { target: target.pk, stage: stage.body.pk, order: 0 } });
    const c = new FlowClient(t.app, checkResponse);
    await c.get('api-inspect');
    const session = c.cookies.get('authentik_session')!;
    const inspect = await t.api('GET', '/flows/inspector/api-inspect/', { headers: { cookie: `authentik_session=${session}` } });
    assert.equal(inspect.status, 200);
    assert.equal(inspect.body.is_completed, false);
    assert.equal(inspect.body.current_plan.current_stage.stage_obj.name, 'api-inspect-dummy');
    assert.equal(inspect.body.current_plan.next_planned_stage, null);
    await c.post('api-inspect', {});
    const done = await t.api('GET', '/flows/inspector/api-inspect/', { headers: { cookie: `authentik_session=${session}` } });
    assert.equal(done.body.is_completed, true);
    assert.equal(done.body.plans.length, 1);
    assert.equal((await t.api('GET', '/flows/inspector/api-inspect/')).status, 400);
  });

  it('redirects to the default flow of a designation, keeping the query', async () => {
    await flow('api-default-invalidation', { designation: 'invalidation' });
    const res = await t.inject({ method: 'GET', url: '/flows/-/default/invalidation/?next=%2Fif%2Fuser%2F' });
    assert.equal(res.statusCode, 302);
    assert.equal(res.headers.location, '/if/flow/api-default-invalidation/?next=%2Fif%2Fuser%2F');
    assert.equal((await t.inject({ method: 'GET', url: '/flows/-/default/recovery/' })).statusCode, 404);
    const cancel = await t.inject({ method: 'GET', url: '/flows/-/cancel/?next=https://evil.example/' });
    assert.equal(cancel.headers.location, '/flows/-/default/invalidation/');
  });

  it('deletes a flow with its bindings and their policy bindings', async () => {
    const target = await flow('api-delete');
    const policy = await t.api('POST', '/policies/dummy/', { body: { name: 'api-delete-policy', result: true, wait_min: 0, wait_max: 0 } });
    const bound = await t.api('POST', '/policies/bindings/', { body: { policy: policy.body.pk, target: target.policybindingmodel_ptr_id, order: 0 } });
    assert.equal(bound.status, 201);
    assert.equal((await t.api('DELETE', '/flows/instances/api-delete/')).status, 204);
    assert.equal((await t.api('GET', `/policies/bindings/${bound.body.pk}/`)).status, 404);
  });
});
