// Passkeys in a browser, with the flows we ship: a user registers a passkey from their settings (Chromium's
// virtual authenticator stands in for the phone or laptop that keeps it), sees it listed, and from then on the
// default authentication flow asks for it after the password and logs them in with it.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import type { TestApp } from '../support/app.js';
import { ensureWebBuild, launchBrowser, newPage, screenshot } from './browser.js';
import { addVirtualAuthenticator } from './webauthn.js';
import { logInWithPassword, openSecuritySettings, startAppWithShippedFlows } from './shipped-flows.js';
import { webAuthnDevices } from '../../src/stages/authenticator_webauthn/table.js';

const DAVE = { username: 'dave', name: 'Dave', password: 'dave-password-2026' };

describe('passkeys in the browser', () => {
  let t: TestApp;
  let browser: Browser;
  let page: Page;
  /** The server as the browser reaches it: WebAuthn needs a host name (`localhost`), not an IP address. */
  let url = '';

  before(async () => {
    ensureWebBuild();
    t = await startAppWithShippedFlows(DAVE);
    url = t.url.replace('127.0.0.1', 'localhost');
    browser = await launchBrowser();
    // One browser context throughout: the authenticator (and the passkey it keeps) belongs to it.
    ({ page } = await newPage(browser));
    await addVirtualAuthenticator(page);
  });
  after(async () => {
    await browser?.close();
    await t?.close();
  });

  it('registers a passkey from the user settings', async () => {
    await logInWithPassword(page, url, DAVE);
    await page.waitForURL(`${url}/if/user/`);
    await openSecuritySettings(page, url);
    await page.getByText('No MFA devices enrolled.').waitFor();
    await page.getByRole('link', { name: 'WebAuthn Authenticator Setup Stage' }).click();
    // The setup flow asks the authenticator at once; once it answered, the flow ends back in the user interface.
    await page.waitForURL((current) => current.pathname === '/if/user/');
    await openSecuritySettings(page, url);
    const devices = page.getByRole('grid', { name: 'MFA devices' }).or(page.getByRole('table', { name: 'MFA devices' }));
    await devices.waitFor();
    assert.match(await devices.innerText(), /WebAuthn Device/);
    await screenshot(page, 'mfa-webauthn-devices');
  });

  it('logs in with the passkey after the password', async () => {
    // A new session: the validate stage asks for the passkey, and the page asks the authenticator at once.
    await page.context().clearCookies();
    await logInWithPassword(page, url, DAVE);
    await page.waitForURL(`${url}/if/user/`);
    const [device] = await t.services.db.select().from(webAuthnDevices);
    assert.ok(device.lastUsed, 'the passkey was used to log in');
    const me = await page.evaluate(async () => (await (await fetch('/api/v3/core/users/me/')).json()) as { user: { username: string } });
    assert.equal(me.user.username, DAVE.username);
    const devices = await page.evaluate(async () => (await (await fetch('/api/v3/authenticators/webauthn/')).json()) as { results: { name: string }[] });
    assert.deepEqual(devices.results.map((d) => d.name), ['WebAuthn Device']);
  });

  it('logs in by the passkey alone through the identification stage\'s passwordless link', async () => {
    const flow = await t.api('POST', '/flows/instances/', { body: { name: 'Passkey', slug: 'passkey-login', title: 'Log in with a passkey', designation: 'authentication' } });
    const stages = [
      await t.api('POST', '/stages/authenticator/validate/', { body: { name: 'passkey-validate', device_classes: ['webauthn'] } }),
      await t.api('POST', '/stages/user_login/', { body: { name: 'passkey-login' } }),
    ];
    for (const [order, stage] of stages.entries()) {
      assert.equal((await t.api('POST', '/flows/bindings/', { body: { target: flow.body.pk, stage: stage.body.pk, order } })).status, 201);
    }
    const identification = await t.api('GET', '/stages/identification/?name=default-authentication-identification');
    const patched = await t.api('PATCH', `/stages/identification/${identification.body.results[0].pk}/`, { body: { passwordless_flow: flow.body.pk } });
    assert.equal(patched.status, 200, JSON.stringify(patched.body));

    await page.context().clearCookies();
    await page.goto(`${url}/if/flow/default-authentication-flow/?next=%2Fif%2Fuser%2F`);
    await page.getByRole('link', { name: 'Use a security key' }).click();
    // No username, no password: the page asks the authenticator for any passkey, and its owner is logged in.
    await page.waitForURL((current) => current.pathname === '/if/user/');
    const me = await page.evaluate(async () => (await (await fetch('/api/v3/core/users/me/')).json()) as { user: { username: string } });
    assert.equal(me.user.username, DAVE.username);
  });
});
