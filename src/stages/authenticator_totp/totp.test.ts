import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { eq } from 'drizzle-orm';
import * as OTPAuth from 'otpauth';
import { startTestApp, type TestApp } from '../../../test/support/app.js';
import { checkResponse } from '../../../test/support/contract.js';
import { FlowClient } from '../../flows/testing.js';
import { deviceClass } from '../authenticator/devices.js';
import { totpDevices } from './table.js';

/** A code the device does not accept now: none of the codes of the steps around now. */
function wrongCode(totp: OTPAuth.TOTP): string {
  const now = Date.now();
  const near = new Set([-2, -1, 0, 1, 2].map((d) => totp.generate({ timestamp: now + d * totp.period * 1000 })));
  for (let n = 0; ; n += 1) {
    const code = String(n).padStart(totp.digits, '0');
    if (!near.has(code)) return code;
  }
}

describe('stages/authenticator_totp', () => {
  let t: TestApp;
  let aliceId: number;
  const client = () => new FlowClient(t.app, checkResponse);

  before(async () => {
    t = await startTestApp();
    const alice = await t.api('POST', '/core/users/', { body: { username: 'alice', name: 'Alice' } });
    aliceId = alice.body.pk;
    assert.equal((await t.api('POST', `/core/users/${aliceId}/set_password/`, { body: { password: 'alice-password-1' } })).status, 204);
    const flow = await t.api('POST', '/flows/instances/', { body: { name: 'totp', slug: 'totp-setup', title: 'Setup', designation: 'authentication' } });
    const stages = [
      await t.api('POST', '/stages/identification/', { body: { name: 'totp-ident', user_fields: ['username'] } }),
      await t.api('POST', '/stages/password/', { body: { name: 'totp-password', backends: ['authentik.core.auth.InbuiltBackend'] } }),
      await t.api('POST', '/stages/authenticator/totp/', { body: { name: 'totp-setup', digits: '6' } }),
      await t.api('POST', '/stages/user_login/', { body: { name: 'totp-login' } }),
    ];
    for (const [order, stage] of stages.entries()) {
      assert.equal(stage.status, 201, JSON.stringify(stage.body));
      assert.equal((await t.api('POST', '/flows/bindings/', { body: { target: flow.body.pk, stage: stage.body.pk, order } })).status, 201);
    }
  });
  after(() => t.close());

  it('manages TOTP setup stages through the API', async () => {
    const created = await t.api('POST', '/stages/authenticator/totp/', { body: { name: 'api-totp', digits: '8', friendly_name: 'Phone app' } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.digits, '8');
    assert.equal(created.body.friendly_name, 'Phone app');
    assert.equal(created.body.configure_flow, null);
    assert.equal(created.body.component, 'ak-stage-authenticator-totp-form');
    assert.equal(created.body.meta_model_name, 'authentik_stages_authenticator_totp.authenticatortotpstage');
    assert.equal((await t.api('POST', '/stages/authenticator/totp/', { body: { name: 'api-totp-7', digits: '7' } })).status, 400);
    assert.equal((await t.api('POST', '/stages/authenticator/totp/', { body: { name: 'api-totp-none' } })).status, 400, 'digits is required');
    const patched = await t.api('PATCH', `/stages/authenticator/totp/${created.body.pk}/`, { body: { digits: '6' } });
    assert.equal(patched.body.digits, '6');
    const listed = await t.api('GET', '/stages/authenticator/totp/?name=api-totp');
    assert.deepEqual(listed.body.results.map((s: { pk: string }) => s.pk), [created.body.pk]);
    const types = await t.api('GET', '/stages/all/types/');
    assert.ok(types.body.some((type: { model_name: string }) => type.model_name === 'authenticatortotpstage'));
    assert.equal((await t.api('DELETE', `/stages/authenticator/totp/${created.body.pk}/`)).status, 204);
  });

  it('enrolls a device once the user sends a code of it, refusing a wrong one', async () => {
    const c = client();
    await c.get('totp-setup');
    await c.post('totp-setup', { uid_field: 'alice' });
    const challenge = await c.post('totp-setup', { password: 'alice-password-1' });
    assert.equal(challenge.body.component, 'ak-stage-authenticator-totp');
    assert.equal(challenge.body.pending_user, 'alice');
    const totp = OTPAuth.URI.parse(challenge.body.config_url);
    assert.ok(totp instanceof OTPAuth.TOTP);
    assert.equal(totp.issuer, 'authentik');
    assert.equal(totp.label, 'alice');
    assert.equal(totp.digits, 6);
    assert.equal(totp.period, 30);
    assert.equal(totp.algorithm, 'SHA1');

    const again = await c.get('totp-setup');
    assert.equal(again.body.config_url, challenge.body.config_url, 'the secret stays the same until the setup is done');

    const wrong = await c.post('totp-setup', { code: Number(wrongCode(totp)) });
    assert.equal(wrong.body.component, 'ak-stage-authenticator-totp');
    assert.deepEqual(wrong.body.response_errors, { code: [{ string: 'Code does not match', code: 'invalid' }] });
    assert.deepEqual(await t.services.db.select().from(totpDevices).where(eq(totpDevices.userId, aliceId)), []);

    const done = await c.post('totp-setup', { code: Number(totp.generate()) });
    assert.equal(done.body.component, 'xak-flow-redirect', JSON.stringify(done.body));
    const [device] = await t.services.db.select().from(totpDevices).where(eq(totpDevices.userId, aliceId));
    assert.deepEqual([device.name, device.confirmed, device.digits], ['TOTP Authenticator', true, 6]);
    assert.equal(device.key, Buffer.from(totp.secret.bytes).toString('hex'));

    // Her own devices, through her session.
    const own = await c.api('GET', '/authenticators/totp/');
    assert.equal(own.status, 200);
    assert.deepEqual(own.body.results, [{ name: 'TOTP Authenticator', pk: device.id }]);
    const renamed = await c.api('PATCH', `/authenticators/totp/${device.id}/`, { name: 'Phone' });
    assert.deepEqual(renamed.body, { name: 'Phone', pk: device.id });
    assert.equal((await c.api('GET', `/authenticators/totp/${device.id}/used_by/`)).status, 200);

    // The user endpoint shows everyone only their own devices; the admin one shows all.
    assert.equal((await t.api('GET', '/authenticators/totp/')).body.pagination.count, 0);
    assert.equal((await t.api('GET', `/authenticators/totp/${device.id}/`)).status, 404);
    const all = await t.api('GET', '/authenticators/admin/totp/?name=Phone');
    assert.deepEqual(all.body.results, [{ name: 'Phone', pk: device.id }]);
    assert.equal((await t.api('GET', `/authenticators/admin/totp/${device.id}/`)).body.name, 'Phone');
    assert.equal((await c.api('GET', '/authenticators/admin/totp/')).status, 403, 'the admin endpoint is for superusers');

    assert.equal((await c.api('DELETE', `/authenticators/totp/${device.id}/`)).status, 204);
    assert.deepEqual(await t.services.db.select().from(totpDevices).where(eq(totpDevices.userId, aliceId)), []);
  });

  it('accepts a code once: the same code again is refused', async () => {
    const key = Buffer.alloc(20, 7).toString('hex');
    await t.services.db.insert(totpDevices).values({ userId: aliceId, name: 'replay', key, digits: 6 });
    const totp = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromHex(key), digits: 6, period: 30 });
    const totpClass = deviceClass('totp')!;
    assert.equal(await totpClass.verifyCode!(t.services.db, aliceId, wrongCode(totp)), undefined);
    const [failed] = await t.services.db.select().from(totpDevices).where(eq(totpDevices.name, 'replay'));
    assert.equal(failed.throttlingFailureCount, 1, 'a wrong code throttles the device');
    // While throttled (2^9 s after the tenth failure), even the right code is refused.
    await t.services.db.update(totpDevices).set({ throttlingFailureCount: 10, throttlingFailureTimestamp: new Date() }).where(eq(totpDevices.id, failed.id));
    assert.equal(await totpClass.verifyCode!(t.services.db, aliceId, totp.generate()), undefined);
    await t.services.db.update(totpDevices).set({ throttlingFailureTimestamp: new Date(Date.now() - 3600_000) }).where(eq(totpDevices.id, failed.id));
    const code = totp.generate();
    const used = await totpClass.verifyCode!(t.services.db, aliceId, code);
    assert.equal(used?.name, 'replay');
    assert.ok(used);
    const [stored] = await t.services.db.select().from(totpDevices).where(eq(totpDevices.id, used.pk));
    assert.ok(stored.lastUsed, 'the use is recorded');
    assert.deepEqual([stored.throttlingFailureCount, stored.throttlingFailureTimestamp], [0, null], 'a right code lifts the throttling');
    assert.equal(await totpClass.verifyCode!(t.services.db, aliceId, code), undefined, 'a replayed code fails');
    await t.services.db.delete(totpDevices).where(eq(totpDevices.id, used.pk));
  });

  it('creates a device for the calling admin through the admin endpoint', async () => {
    const created = await t.api('POST', '/authenticators/admin/totp/', { body: { name: 'admin-made' } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal((await t.api('GET', '/authenticators/totp/')).body.results[0].name, 'admin-made');
    assert.equal((await t.api('DELETE', `/authenticators/admin/totp/${created.body.pk}/`)).status, 204);
  });
});
