import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { eq } from 'drizzle-orm';
import * as OTPAuth from 'otpauth';
import { startTestApp, type TestApp } from '../../../test/support/app.js';
import { checkResponse } from '../../../test/support/contract.js';
import { FlowClient } from '../../flows/testing.js';
import { staticDevices, staticTokens } from '../authenticator_static/table.js';
import { totpDevices } from '../authenticator_totp/table.js';

const KEY = Buffer.alloc(20, 3).toString('hex');
const totp = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromHex(KEY), digits: 6, period: 30 });

describe('stages/authenticator_validate', () => {
  let t: TestApp;
  let totpSetup: string;
  let staticSetup: string;
  const client = () => new FlowClient(t.app, checkResponse);

  async function user(username: string): Promise<number> {
    const created = await t.api('POST', '/core/users/', { body: { username, name: username } });
    assert.equal((await t.api('POST', `/core/users/${created.body.pk}/set_password/`, { body: { password: `${username}-password-1` } })).status, 204);
    return created.body.pk;
  }

  /** identification → password → the validate stage → login. */
  async function flowWith(slug: string, validate: Record<string, unknown>) {
    const flow = await t.api('POST', '/flows/instances/', { body: { name: slug, slug, title: slug, designation: 'authentication' } });
    const created = await t.api('POST', '/stages/authenticator/validate/', { body: { name: `${slug}-validate`, ...validate } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const stages = [
      await t.api('POST', '/stages/identification/', { body: { name: `${slug}-ident`, user_fields: ['username'] } }),
      await t.api('POST', '/stages/password/', { body: { name: `${slug}-password`, backends: ['authentik.core.auth.InbuiltBackend'] } }),
      created,
      await t.api('POST', '/stages/user_login/', { body: { name: `${slug}-login` } }),
    ];
    for (const [order, stage] of stages.entries()) {
      assert.equal((await t.api('POST', '/flows/bindings/', { body: { target: flow.body.pk, stage: stage.body.pk, order } })).status, 201);
    }
    return created.body;
  }

  /** Ends the throttling a wrong code started (2^(failures-1) seconds), without waiting for it. */
  async function liftThrottling() {
    await t.services.db.update(totpDevices).set({ throttlingFailureTimestamp: new Date(0) });
    await t.services.db.update(staticDevices).set({ throttlingFailureTimestamp: new Date(0) });
  }

  /** Identifies and authenticates `username`; returns the challenge after the password. */
  async function upToValidation(c: FlowClient, slug: string, username: string) {
    await c.get(slug);
    await c.post(slug, { uid_field: username });
    return c.post(slug, { password: `${username}-password-1` });
  }

  before(async () => {
    t = await startTestApp();
    totpSetup = (await t.api('POST', '/stages/authenticator/totp/', { body: { name: 'b-totp-setup', digits: '6' } })).body.pk;
    staticSetup = (await t.api('POST', '/stages/authenticator/static/', { body: { name: 'a-static-setup', token_count: 2 } })).body.pk;
  });
  after(() => t.close());

  it('manages validate stages through the API', async () => {
    const created = await t.api('POST', '/stages/authenticator/validate/', { body: { name: 'api-validate' } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.deepEqual(
      [created.body.not_configured_action, created.body.device_classes, created.body.configuration_stages, created.body.last_auth_threshold],
      ['skip', ['static', 'totp', 'webauthn', 'duo', 'sms'], [], 'seconds=0'],
    );
    assert.equal(created.body.component, 'ak-stage-authenticator-validate-form');
    const path = `/stages/authenticator/validate/${created.body.pk}/`;
    const noStages = await t.api('PATCH', path, { body: { not_configured_action: 'configure' } });
    assert.equal(noStages.status, 400);
    assert.ok(noStages.body.not_configured_action);
    assert.equal((await t.api('PATCH', path, { body: { last_auth_threshold: 'forever' } })).status, 400);
    const patched = await t.api('PATCH', path, { body: { not_configured_action: 'configure', configuration_stages: [totpSetup, staticSetup], device_classes: ['totp'] } });
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
    assert.deepEqual(patched.body.configuration_stages, [totpSetup, staticSetup]);
    assert.deepEqual(patched.body.device_classes, ['totp']);
    assert.equal((await t.api('GET', '/stages/authenticator/validate/?not_configured_action=configure')).body.results[0].pk, created.body.pk);
    assert.equal((await t.api('DELETE', path)).status, 204);
  });

  it('lets a user without devices through, and asks one with devices for a code', async () => {
    await flowWith('mfa', { not_configured_action: 'skip', device_classes: ['totp', 'static'] });
    await user('nodevice');
    assert.equal((await upToValidation(client(), 'mfa', 'nodevice')).body.component, 'xak-flow-redirect');

    const carolId = await user('carol');
    const [device] = await t.services.db.insert(totpDevices).values({ userId: carolId, name: 'phone', key: KEY }).returning();
    const [paper] = await t.services.db.insert(staticDevices).values({ userId: carolId, name: 'paper' }).returning();
    await t.services.db.insert(staticTokens).values([{ deviceId: paper.id, token: 'recovery-one' }, { deviceId: paper.id, token: 'recovery-two' }]);

    const c = client();
    const challenge = await upToValidation(c, 'mfa', 'carol');
    assert.equal(challenge.body.component, 'ak-stage-authenticator-validate');
    assert.equal(challenge.body.pending_user, 'carol');
    assert.deepEqual(challenge.body.device_challenges, [
      { device_class: 'totp', device_uid: String(device.id), challenge: {} },
      { device_class: 'static', device_uid: String(paper.id), challenge: {} },
    ]);
    assert.deepEqual(challenge.body.configuration_stages, []);

    const wrong = await c.post('mfa', { code: '000000x' });
    assert.deepEqual(wrong.body.response_errors, { code: [{ string: 'Invalid Token', code: 'invalid' }] });
    await liftThrottling();
    const badChoice = await c.post('mfa', { selected_challenge: { device_class: 'totp', device_uid: '999999', challenge: {} }, code: totp.generate() });
    assert.ok(badChoice.body.response_errors.selected_challenge);
    const done = await c.post('mfa', { selected_challenge: { device_class: 'totp', device_uid: String(device.id), challenge: {} }, code: totp.generate() });
    assert.equal(done.body.component, 'xak-flow-redirect', JSON.stringify(done.body));
    const [used] = await t.services.db.select().from(totpDevices).where(eq(totpDevices.id, device.id));
    assert.ok(used.lastUsed);

    // A recovery code works once.
    const second = client();
    await upToValidation(second, 'mfa', 'carol');
    assert.equal((await second.post('mfa', { code: 'recovery-two' })).body.component, 'xak-flow-redirect');
    const third = client();
    await upToValidation(third, 'mfa', 'carol');
    assert.deepEqual((await third.post('mfa', { code: 'recovery-two' })).body.response_errors, { code: [{ string: 'Invalid Token', code: 'invalid' }] });
    await liftThrottling();
    assert.equal((await third.post('mfa', { code: 'recovery-one' })).body.component, 'xak-flow-redirect');
  });

  it('only offers the allowed device classes', async () => {
    await flowWith('mfa-totp-only', { not_configured_action: 'deny', device_classes: ['totp'] });
    const daveId = await user('dave');
    const [paper] = await t.services.db.insert(staticDevices).values({ userId: daveId, name: 'paper' }).returning();
    await t.services.db.insert(staticTokens).values({ deviceId: paper.id, token: 'dave-recovery' });
    const denied = await upToValidation(client(), 'mfa-totp-only', 'dave');
    assert.equal(denied.body.component, 'ak-stage-access-denied');
    assert.equal(denied.body.error_message, 'No (allowed) MFA authenticator configured.');
  });

  it('passes without a code when a device was used within last_auth_threshold', async () => {
    await flowWith('mfa-threshold', { device_classes: ['static'], last_auth_threshold: 'hours=1' });
    const erinId = await user('erin');
    const [paper] = await t.services.db.insert(staticDevices).values({ userId: erinId, name: 'paper', lastUsed: new Date(Date.now() - 2 * 3600_000) }).returning();
    await t.services.db.insert(staticTokens).values({ deviceId: paper.id, token: 'erin-recovery' });
    assert.equal((await upToValidation(client(), 'mfa-threshold', 'erin')).body.component, 'ak-stage-authenticator-validate', 'used too long ago');
    await t.services.db.update(staticDevices).set({ lastUsed: new Date() }).where(eq(staticDevices.id, paper.id));
    assert.equal((await upToValidation(client(), 'mfa-threshold', 'erin')).body.component, 'xak-flow-redirect');
  });

  it('sends a user without devices to set one up', async () => {
    await flowWith('mfa-configure-one', { not_configured_action: 'configure', device_classes: ['totp'], configuration_stages: [totpSetup] });
    const frankId = await user('frank');
    const c = client();
    const setup = await upToValidation(c, 'mfa-configure-one', 'frank');
    assert.equal(setup.body.component, 'ak-stage-authenticator-totp', 'the only configuration stage runs next');
    const enrolled = OTPAuth.URI.parse(setup.body.config_url) as OTPAuth.TOTP;
    assert.equal((await c.post('mfa-configure-one', { code: Number(enrolled.generate()) })).body.component, 'xak-flow-redirect');
    assert.equal((await t.services.db.select().from(totpDevices).where(eq(totpDevices.userId, frankId))).length, 1);

    await flowWith('mfa-configure-two', { not_configured_action: 'configure', device_classes: ['totp', 'static'], configuration_stages: [totpSetup, staticSetup] });
    await user('grace');
    const g = client();
    const choice = await upToValidation(g, 'mfa-configure-two', 'grace');
    assert.equal(choice.body.component, 'ak-stage-authenticator-validate');
    assert.deepEqual(choice.body.device_challenges, []);
    assert.deepEqual(choice.body.configuration_stages.map((s: { name: string; meta_model_name: string }) => [s.name, s.meta_model_name]), [
      ['a-static-setup', 'authentik_stages_authenticator_static.authenticatorstaticstage'],
      ['b-totp-setup', 'authentik_stages_authenticator_totp.authenticatortotpstage'],
    ]);
    assert.ok((await g.post('mfa-configure-two', { selected_stage: '00000000-0000-0000-0000-000000000000' })).body.response_errors.selected_stage);
    const codes = await g.post('mfa-configure-two', { selected_stage: staticSetup });
    assert.equal(codes.body.component, 'ak-stage-authenticator-static');
    assert.equal(codes.body.codes.length, 2);
    assert.equal((await g.post('mfa-configure-two', {})).body.component, 'xak-flow-redirect');
  });

  it('does not let a user with devices past by choosing a setup stage', async () => {
    await flowWith('mfa-bypass', { not_configured_action: 'configure', device_classes: ['static'], configuration_stages: [totpSetup] });
    const ivanId = await user('ivan');
    const [paper] = await t.services.db.insert(staticDevices).values({ userId: ivanId, name: 'paper' }).returning();
    await t.services.db.insert(staticTokens).values({ deviceId: paper.id, token: 'ivan-recovery' });
    const c = client();
    await c.get('mfa-bypass');
    await c.post('mfa-bypass', { uid_field: 'ivan' });
    // The password's answer is the validate challenge; the client answers it with a setup stage instead.
    const password = await c.post('mfa-bypass', { password: 'ivan-password-1' });
    assert.equal(password.body.component, 'ak-stage-authenticator-validate');
    const refused = await c.post('mfa-bypass', { selected_stage: totpSetup });
    assert.equal(refused.body.component, 'ak-stage-authenticator-validate');
    assert.ok(refused.body.response_errors.selected_stage);
    assert.equal((await c.post('mfa-bypass', { code: 'ivan-recovery' })).body.component, 'xak-flow-redirect');
  });
});
