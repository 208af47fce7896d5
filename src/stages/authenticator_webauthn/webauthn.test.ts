// WebAuthn setup with a real client: Chromium's virtual authenticator answers the registration options the flow
// executor hands out, and the executor stores the credential it verified.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { eq } from 'drizzle-orm';
import type { Browser, Page } from 'playwright-core';
import { startTestApp, type TestApp } from '../../../test/support/app.js';
import { checkResponse } from '../../../test/support/contract.js';
import { authenticatorPageAt, createCredential } from '../../../test/browser/webauthn.js';
import { FlowClient } from '../../flows/testing.js';
import { webAuthnDevices } from './table.js';

const FLOW = 'webauthn-setup';

describe('stages/authenticator_webauthn', () => {
  let t: TestApp;
  let browser: Browser;
  let page: Page;
  let aliceId: number;
  let host = '';

  /** A flow client that comes to the server as the browser does (`localhost`: an IP address cannot be an RP id). */
  const client = () => new FlowClient(t.app, checkResponse, { host });

  async function registrationChallenge(c: FlowClient) {
    await c.get(FLOW);
    await c.post(FLOW, { uid_field: 'alice' });
    const challenge = await c.post(FLOW, { password: 'alice-password-1' });
    assert.equal(challenge.body.component, 'ak-stage-authenticator-webauthn', JSON.stringify(challenge.body));
    return challenge.body;
  }

  before(async () => {
    t = await startTestApp();
    host = `localhost:${new URL(t.url).port}`;
    const alice = await t.api('POST', '/core/users/', { body: { username: 'alice', name: 'Alice' } });
    aliceId = alice.body.pk;
    assert.equal((await t.api('POST', `/core/users/${aliceId}/set_password/`, { body: { password: 'alice-password-1' } })).status, 204);
    const flow = await t.api('POST', '/flows/instances/', { body: { name: 'webauthn', slug: FLOW, title: 'Setup', designation: 'authentication' } });
    const stages = [
      await t.api('POST', '/stages/identification/', { body: { name: 'wa-ident', user_fields: ['username'] } }),
      await t.api('POST', '/stages/password/', { body: { name: 'wa-password', backends: ['authentik.core.auth.InbuiltBackend'] } }),
      await t.api('POST', '/stages/authenticator/webauthn/', { body: { name: 'wa-setup', user_verification: 'required' } }),
      await t.api('POST', '/stages/user_login/', { body: { name: 'wa-login' } }),
    ];
    for (const [order, stage] of stages.entries()) {
      assert.equal(stage.status, 201, JSON.stringify(stage.body));
      assert.equal((await t.api('POST', '/flows/bindings/', { body: { target: flow.body.pk, stage: stage.body.pk, order } })).status, 201);
    }
    ({ browser, page } = await authenticatorPageAt(host));
  });
  after(async () => {
    await browser?.close();
    await t?.close();
  });

  it('manages WebAuthn setup stages through the API', async () => {
    const created = await t.api('POST', '/stages/authenticator/webauthn/', { body: { name: 'api-webauthn' } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.deepEqual(
      [created.body.user_verification, created.body.resident_key_requirement, created.body.authenticator_attachment, created.body.configure_flow],
      ['preferred', 'preferred', null, null],
    );
    assert.equal(created.body.component, 'ak-stage-authenticator-webauthn-form');
    assert.equal(created.body.meta_model_name, 'authentik_stages_authenticator_webauthn.authenticatewebauthnstage');
    const bad = await t.api('PATCH', `/stages/authenticator/webauthn/${created.body.pk}/`, { body: { user_verification: 'always' } });
    assert.equal(bad.status, 400);
    const patched = await t.api('PATCH', `/stages/authenticator/webauthn/${created.body.pk}/`, { body: { authenticator_attachment: 'platform', resident_key_requirement: 'required' } });
    assert.deepEqual([patched.body.authenticator_attachment, patched.body.resident_key_requirement], ['platform', 'required']);
    const types = await t.api('GET', '/stages/all/types/');
    assert.ok(types.body.some((type: { model_name: string }) => type.model_name === 'authenticatewebauthnstage'));
    assert.equal((await t.api('DELETE', `/stages/authenticator/webauthn/${created.body.pk}/`)).status, 204);
  });

  it('refuses a credential made for another challenge', async () => {
    const c = client();
    const { registration } = await registrationChallenge(c);
    const forged = await createCredential(page, { ...registration, challenge: Buffer.alloc(32, 1).toString('base64url') });
    const refused = await c.post(FLOW, { component: 'ak-stage-authenticator-webauthn', response: forged });
    assert.equal(refused.body.component, 'ak-stage-authenticator-webauthn');
    assert.match(refused.body.response_errors.response[0].string, /^Registration failed/);
    assert.notEqual(refused.body.registration.challenge, registration.challenge, 'every showing has a new challenge');
    assert.deepEqual(await t.services.db.select().from(webAuthnDevices).where(eq(webAuthnDevices.userId, aliceId)), []);
  });

  it('enrolls the credential the authenticator made for the options shown, once', async () => {
    const c = client();
    const { registration } = await registrationChallenge(c);
    assert.equal(registration.rp.id, 'localhost');
    assert.equal(registration.rp.name, 'authentik');
    assert.deepEqual([registration.user.name, registration.user.displayName], ['alice', 'Alice']);
    assert.deepEqual(registration.authenticatorSelection, { residentKey: 'preferred', userVerification: 'required', requireResidentKey: false });
    assert.match(registration.challenge, /^[A-Za-z0-9_-]{43}$/);

    const credential = await createCredential(page, registration);
    const done = await c.post(FLOW, { component: 'ak-stage-authenticator-webauthn', response: credential });
    assert.equal(done.body.component, 'xak-flow-redirect', JSON.stringify(done.body));
    const [device] = await t.services.db.select().from(webAuthnDevices).where(eq(webAuthnDevices.userId, aliceId));
    assert.deepEqual([device.name, device.credentialId, device.rpId, device.confirmed], ['WebAuthn Device', credential.id, 'localhost', true]);
    assert.ok(device.publicKey.length > 40);

    // Listed with her devices of every type, and on its own endpoints.
    const all = await c.api('GET', '/authenticators/all/');
    assert.deepEqual(all.body.map((d: { type: string; name: string; pk: number }) => [d.type, d.name, d.pk]),
      [['authentik_stages_authenticator_webauthn.WebAuthnDevice', 'WebAuthn Device', device.id]]);
    const own = await c.api('GET', '/authenticators/webauthn/');
    assert.deepEqual(own.body.results, [{ pk: device.id, name: 'WebAuthn Device', created_on: device.createdOn.toISOString() }]);
    assert.equal((await t.api('GET', `/authenticators/admin/webauthn/${device.id}/`)).body.name, 'WebAuthn Device');

    // The same answer again, in a new flow: its challenge is not this flow's, and the credential is taken.
    const again = client();
    await registrationChallenge(again);
    const replayed = await again.post(FLOW, { component: 'ak-stage-authenticator-webauthn', response: credential });
    assert.match(replayed.body.response_errors.response[0].string, /^Registration failed/);
    assert.equal((await t.services.db.select().from(webAuthnDevices).where(eq(webAuthnDevices.userId, aliceId))).length, 1);
  });

  it('creates and renames a device through the admin endpoint', async () => {
    const created = await t.api('POST', '/authenticators/admin/webauthn/', { body: { name: 'admin-made' } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const renamed = await t.api('PATCH', `/authenticators/webauthn/${created.body.pk}/`, { body: { name: 'renamed' } });
    assert.equal(renamed.body.name, 'renamed');
    assert.equal((await t.api('DELETE', `/authenticators/admin/webauthn/${created.body.pk}/`)).status, 204);
  });
});
