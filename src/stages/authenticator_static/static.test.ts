import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { eq } from 'drizzle-orm';
import { startTestApp, type TestApp } from '../../../test/support/app.js';
import { checkResponse } from '../../../test/support/contract.js';
import { FlowClient } from '../../flows/testing.js';
import { deviceClass } from '../authenticator/devices.js';
import { staticDevices, staticTokens } from './table.js';

describe('stages/authenticator_static', () => {
  let t: TestApp;
  let bobId: number;
  const client = () => new FlowClient(t.app, checkResponse);

  before(async () => {
    t = await startTestApp();
    const bob = await t.api('POST', '/core/users/', { body: { username: 'bob', name: 'Bob' } });
    bobId = bob.body.pk;
    assert.equal((await t.api('POST', `/core/users/${bobId}/set_password/`, { body: { password: 'bob-password-1' } })).status, 204);
    const flow = await t.api('POST', '/flows/instances/', { body: { name: 'static', slug: 'static-setup', title: 'Setup', designation: 'authentication' } });
    const stages = [
      await t.api('POST', '/stages/identification/', { body: { name: 'static-ident', user_fields: ['username'] } }),
      await t.api('POST', '/stages/password/', { body: { name: 'static-password', backends: ['authentik.core.auth.InbuiltBackend'] } }),
      await t.api('POST', '/stages/authenticator/static/', { body: { name: 'static-setup', token_count: 4, token_length: 10 } }),
      await t.api('POST', '/stages/user_login/', { body: { name: 'static-login' } }),
    ];
    for (const [order, stage] of stages.entries()) {
      assert.equal(stage.status, 201, JSON.stringify(stage.body));
      assert.equal((await t.api('POST', '/flows/bindings/', { body: { target: flow.body.pk, stage: stage.body.pk, order } })).status, 201);
    }
  });
  after(() => t.close());

  it('manages static setup stages through the API', async () => {
    const created = await t.api('POST', '/stages/authenticator/static/', { body: { name: 'api-static' } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.deepEqual([created.body.token_count, created.body.token_length, created.body.friendly_name], [6, 12, null]);
    assert.equal(created.body.component, 'ak-stage-authenticator-static-form');
    assert.equal(created.body.meta_model_name, 'authentik_stages_authenticator_static.authenticatorstaticstage');
    const tooLong = await t.api('PATCH', `/stages/authenticator/static/${created.body.pk}/`, { body: { token_length: 17 } });
    assert.equal(tooLong.status, 400);
    assert.ok(tooLong.body.token_length);
    const patched = await t.api('PATCH', `/stages/authenticator/static/${created.body.pk}/`, { body: { token_count: 2 } });
    assert.equal(patched.body.token_count, 2);
    assert.equal((await t.api('GET', '/stages/authenticator/static/?token_count=2')).body.results[0].pk, created.body.pk);
    assert.equal((await t.api('DELETE', `/stages/authenticator/static/${created.body.pk}/`)).status, 204);
  });

  it('shows codes, stores them once confirmed, and accepts each code once', async () => {
    const c = client();
    await c.get('static-setup');
    await c.post('static-setup', { uid_field: 'bob' });
    // The password's answer is already the next stage's challenge: the codes are shown before anything confirms them.
    const challenge = await c.post('static-setup', { password: 'bob-password-1' });
    assert.equal(challenge.status, 200);
    assert.equal(challenge.body.component, 'ak-stage-authenticator-static');
    const codes: string[] = challenge.body.codes;
    assert.equal(codes.length, 4);
    for (const code of codes) assert.match(code, /^[A-Za-z0-9]{10}$/);
    assert.deepEqual((await c.get('static-setup')).body.codes, codes, 'the codes stay the same until confirmed');
    assert.deepEqual(await t.services.db.select().from(staticDevices).where(eq(staticDevices.userId, bobId)), [], 'nothing is stored before');

    const done = await c.post('static-setup', {});
    assert.equal(done.body.component, 'xak-flow-redirect', JSON.stringify(done.body));
    const [device] = await t.services.db.select().from(staticDevices).where(eq(staticDevices.userId, bobId));
    assert.deepEqual([device.name, device.confirmed], ['Static Token', true]);

    const own = await c.api('GET', '/authenticators/static/');
    assert.equal(own.status, 200);
    assert.deepEqual(own.body.results, [{ name: 'Static Token', pk: device.id, token_set: codes.map((token) => ({ token })) }]);
    assert.equal((await t.api('GET', '/authenticators/static/')).body.pagination.count, 0, 'the admin has none of their own');
    assert.equal((await t.api('GET', '/authenticators/admin/static/')).body.results[0].pk, device.id);

    const staticClass = deviceClass('static')!;
    assert.equal(await staticClass.verifyCode!(t.services.db, bobId, 'not-a-code'), undefined);
    const [throttled] = await t.services.db.select().from(staticDevices).where(eq(staticDevices.id, device.id));
    assert.equal(throttled.throttlingFailureCount, 1, 'a wrong code throttles the device');
    assert.equal(await staticClass.verifyCode!(t.services.db, bobId, codes[1]), undefined, 'a throttled device refuses even a right code');
    await t.services.db.update(staticDevices).set({ throttlingFailureTimestamp: new Date(0) }).where(eq(staticDevices.id, device.id));
    assert.equal((await staticClass.verifyCode!(t.services.db, bobId, codes[1]))?.pk, device.id);
    assert.equal(await staticClass.verifyCode!(t.services.db, bobId, codes[1]), undefined, 'a code is single use');
    const left = await t.services.db.select().from(staticTokens).where(eq(staticTokens.deviceId, device.id));
    assert.deepEqual(left.map((row) => row.token).sort(), [codes[0], codes[2], codes[3]].sort());

    assert.equal((await c.api('PATCH', `/authenticators/static/${device.id}/`, { name: 'Paper' })).body.name, 'Paper');
    assert.equal((await c.api('DELETE', `/authenticators/static/${device.id}/`)).status, 204);
    assert.deepEqual(await t.services.db.select().from(staticTokens).where(eq(staticTokens.deviceId, device.id)), [], 'its codes go with it');
  });
});
