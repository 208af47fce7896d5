// WebAuthn as a second factor, with a real client: Chromium's virtual authenticator enrolls through the setup
// stage the validate stage sends a user without devices to, then answers the validate stage's request options.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { eq } from 'drizzle-orm';
import type { Browser, Page } from 'playwright-core';
import { startTestApp, type TestApp } from '../../../test/support/app.js';
import { checkResponse } from '../../../test/support/contract.js';
import { authenticatorPageAt, createCredential, getAssertion } from '../../../test/browser/webauthn.js';
import { FlowClient } from '../../flows/testing.js';
import { webAuthnDevices } from '../authenticator_webauthn/table.js';

const FLOW = 'webauthn-mfa';

describe('stages/authenticator_validate: webauthn', () => {
  let t: TestApp;
  let browser: Browser;
  let page: Page;
  let host = '';
  const ids: Record<string, number> = {};
  let aliceCredentialId = '';

  const client = () => new FlowClient(t.app, checkResponse, { host });

  async function upToValidation(c: FlowClient, username: string) {
    await c.get(FLOW);
    await c.post(FLOW, { uid_field: username });
    return (await c.post(FLOW, { password: `${username}-password-1` })).body;
  }

  /** Logs `username` in the first time: without devices they are sent to set one up. */
  async function enroll(username: string) {
    const c = client();
    const setup = await upToValidation(c, username);
    assert.equal(setup.component, 'ak-stage-authenticator-webauthn', JSON.stringify(setup));
    const credential = await createCredential(page, setup.registration);
    const done = await c.post(FLOW, { component: 'ak-stage-authenticator-webauthn', response: credential });
    assert.equal(done.body.component, 'xak-flow-redirect', JSON.stringify(done.body));
    return credential;
  }

  function webauthnChallenge(challenge: { component: string; device_challenges: { device_class: string; challenge: Record<string, any> }[] }) {
    assert.equal(challenge.component, 'ak-stage-authenticator-validate', JSON.stringify(challenge));
    const found = challenge.device_challenges.find((c) => c.device_class === 'webauthn');
    assert.ok(found, JSON.stringify(challenge.device_challenges));
    return found.challenge;
  }

  before(async () => {
    t = await startTestApp();
    host = `localhost:${new URL(t.url).port}`;
    for (const username of ['alice', 'bob']) {
      const created = await t.api('POST', '/core/users/', { body: { username, name: username } });
      ids[username] = created.body.pk;
      assert.equal((await t.api('POST', `/core/users/${created.body.pk}/set_password/`, { body: { password: `${username}-password-1` } })).status, 204);
    }
    const setup = await t.api('POST', '/stages/authenticator/webauthn/', { body: { name: 'mfa-webauthn-setup' } });
    const flow = await t.api('POST', '/flows/instances/', { body: { name: FLOW, slug: FLOW, title: FLOW, designation: 'authentication' } });
    const stages = [
      await t.api('POST', '/stages/identification/', { body: { name: 'mfa-ident', user_fields: ['username'] } }),
      await t.api('POST', '/stages/password/', { body: { name: 'mfa-password', backends: ['authentik.core.auth.InbuiltBackend'] } }),
      await t.api('POST', '/stages/authenticator/validate/', {
        body: {
          name: 'mfa-validate', device_classes: ['webauthn', 'totp'], not_configured_action: 'configure',
          configuration_stages: [setup.body.pk], webauthn_user_verification: 'required',
        },
      }),
      await t.api('POST', '/stages/user_login/', { body: { name: 'mfa-login' } }),
    ];
    for (const [order, stage] of stages.entries()) {
      assert.equal(stage.status, 201, JSON.stringify(stage.body));
      assert.equal((await t.api('POST', '/flows/bindings/', { body: { target: flow.body.pk, stage: stage.body.pk, order } })).status, 201);
    }
    // Passwordless: the validate stage first, with nobody identified.
    const passwordless = await t.api('POST', '/flows/instances/', { body: { name: 'pwl', slug: 'webauthn-passwordless', title: 'pwl', designation: 'authentication' } });
    const pwlStages = [
      await t.api('POST', '/stages/authenticator/validate/', { body: { name: 'pwl-validate', device_classes: ['webauthn'] } }),
      await t.api('POST', '/stages/user_login/', { body: { name: 'pwl-login' } }),
    ];
    for (const [order, stage] of pwlStages.entries()) {
      assert.equal((await t.api('POST', '/flows/bindings/', { body: { target: passwordless.body.pk, stage: stage.body.pk, order } })).status, 201);
    }
    ({ browser, page } = await authenticatorPageAt(host));
  });
  after(async () => {
    await browser?.close();
    await t?.close();
  });

  it('asks for an assertion of one of the user\'s credentials and logs in with it', async () => {
    const credential = await enroll('alice');
    aliceCredentialId = credential.id;
    const c = client();
    const options = webauthnChallenge(await upToValidation(c, 'alice'));
    assert.equal(options.rpId, 'localhost');
    assert.equal(options.userVerification, 'required');
    assert.deepEqual(options.allowCredentials.map((d: { id: string }) => d.id), [credential.id]);
    const assertion = await getAssertion(page, options);
    const done = await c.post(FLOW, { component: 'ak-stage-authenticator-validate', webauthn: assertion });
    assert.equal(done.body.component, 'xak-flow-redirect', JSON.stringify(done.body));
    const [device] = await t.services.db.select().from(webAuthnDevices).where(eq(webAuthnDevices.credentialId, credential.id));
    assert.ok(device.lastUsed, 'the use is recorded');
    assert.equal(device.signCount, Buffer.from(String(assertion.response.authenticatorData), 'base64url').readUInt32BE(33), 'the counter is the assertion\'s');
    const me = await c.api('GET', '/core/users/me/');
    assert.equal(me.body.user.username, 'alice');

    // The same assertion again, in a new login: its challenge was spent.
    const again = client();
    webauthnChallenge(await upToValidation(again, 'alice'));
    const replayed = await again.post(FLOW, { component: 'ak-stage-authenticator-validate', webauthn: assertion });
    assert.deepEqual(replayed.body.response_errors, { webauthn: [{ string: 'Assertion failed', code: 'invalid' }] });
  });

  it('refuses an assertion for another challenge, and one of another user\'s credential', async () => {
    const c = client();
    const options = webauthnChallenge(await upToValidation(c, 'alice'));
    const forged = await getAssertion(page, { ...options, challenge: Buffer.alloc(32, 2).toString('base64url') });
    const refused = await c.post(FLOW, { component: 'ak-stage-authenticator-validate', webauthn: forged });
    assert.deepEqual(refused.body.response_errors, { webauthn: [{ string: 'Assertion failed', code: 'invalid' }] });
    const fresh = webauthnChallenge(refused.body);
    assert.notEqual(fresh.challenge, options.challenge, 'a refused answer spends its challenge');

    // Bob's credential answers Bob's options only: on Alice's login it is no device of hers.
    await enroll('bob');
    const bobs = client();
    const bobOptions = webauthnChallenge(await upToValidation(bobs, 'bob'));
    const bobAssertion = await getAssertion(page, { ...bobOptions, challenge: fresh.challenge });
    const wrongUser = await c.post(FLOW, { component: 'ak-stage-authenticator-validate', webauthn: bobAssertion });
    assert.deepEqual(wrongUser.body.response_errors, { webauthn: [{ string: 'Invalid device', code: 'invalid' }] });

    const right = await getAssertion(page, webauthnChallenge(wrongUser.body));
    const done = await c.post(FLOW, { component: 'ak-stage-authenticator-validate', webauthn: right });
    assert.equal(done.body.component, 'xak-flow-redirect', JSON.stringify(done.body));
  });

  it('logs a user in by a passkey alone when nobody is identified yet (passwordless)', async () => {
    assert.ok(aliceCredentialId, 'alice enrolled');
    const c = client();
    const challenge = (await c.get('webauthn-passwordless')).body;
    assert.equal(challenge.component, 'ak-stage-authenticator-validate', JSON.stringify(challenge));
    assert.deepEqual(challenge.device_challenges.map((d: { device_class: string; device_uid: string }) => [d.device_class, d.device_uid]), [['webauthn', '-1']]);
    const options = challenge.device_challenges[0].challenge;
    assert.deepEqual(options.allowCredentials, [], 'any passkey may answer');
    // The authenticator keeps Alice's and Bob's passkeys: the browser side picks Alice's (the account chooser).
    const pick = { ...options, allowCredentials: [{ id: aliceCredentialId, type: 'public-key' }] };

    const forged = await getAssertion(page, { ...pick, challenge: Buffer.alloc(32, 4).toString('base64url') });
    const refused = await c.post('webauthn-passwordless', { component: 'ak-stage-authenticator-validate', webauthn: forged });
    assert.deepEqual(refused.body.response_errors, { webauthn: [{ string: 'Assertion failed', code: 'invalid' }] });

    const assertion = await getAssertion(page, { ...pick, challenge: refused.body.device_challenges[0].challenge.challenge });
    const done = await c.post('webauthn-passwordless', { component: 'ak-stage-authenticator-validate', webauthn: assertion });
    assert.equal(done.body.component, 'xak-flow-redirect', JSON.stringify(done.body));
    assert.equal((await c.api('GET', '/core/users/me/')).body.user.username, 'alice');
  });
});
