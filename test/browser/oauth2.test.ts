// The OAuth2 story of a newcomer, all in the browser: log in with the bootstrap password, create a user and a
// group, an application with its OAuth2 provider, read the client's settings off the provider page, fix the
// redirect URI, restrict the application to the group, then a real OIDC client (openid-client, authorization
// code + PKCE) signs the user in through our login and consent pages. The API is only used to check results.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import * as client from 'openid-client';
import type { Browser, Page } from 'playwright-core';
import { ADMIN_PASSWORD, startTestApp, type TestApp } from '../support/app.js';
import { startBlueprintDiscovery } from '../../src/blueprints/tasks.js';
import { ensureWebBuild, launchBrowser, newPage, screenshot } from './browser.js';

const insecure = { execute: [client.allowInsecureRequests] };
const ALICE_PASSWORD = 'alice-wiki-password-2026';

describe('the OAuth2 story in the browser', () => {
  let t: TestApp;
  let browser: Browser;
  let admin: Page;
  let rp: Server;
  let callback: string;
  const settings: Record<string, string> = {};

  const open = async (route: string, heading: string | RegExp) => {
    await admin.goto(`${t.url}/if/admin/#${route}`);
    await admin.getByRole('heading', { name: heading, level: 1 }).waitFor();
  };

  /** Logs in through the default authentication flow with the keyboard, as a person would. */
  async function logIn(page: Page, uid: string, password: string) {
    await page.getByLabel(/Email or Username|Username or Email/).waitFor();
    await page.keyboard.type(uid);
    await page.keyboard.press('Enter');
    await page.getByLabel(/^Password/).waitFor();
    await page.keyboard.type(password);
    await page.keyboard.press('Enter');
  }

  before(async () => {
    ensureWebBuild();
    t = await startTestApp((config) => {
      config.blueprints_dir = resolve('blueprints');
    });
    await startBlueprintDiscovery(t.services)();
    // The relying party: only its callback page, which the browser lands on with the code.
    rp = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<h1>Back at the wiki</h1>'));
    await new Promise<void>((done) => rp.listen(0, '127.0.0.1', done));
    callback = `http://127.0.0.1:${(rp.address() as AddressInfo).port}/oauth/callback`;
    // A second person who is not in the group: set up directly, only to be refused.
    const bob = await t.api('POST', '/core/users/', { body: { username: 'bob', name: 'Bob' } });
    assert.equal((await t.api('POST', `/core/users/${bob.body.pk}/set_password/`, { body: { password: 'bob-password-2026' } })).status, 204);
    browser = await launchBrowser();
    ({ page: admin } = await newPage(browser));
  });
  after(async () => {
    await browser?.close();
    await t?.close();
    rp?.close();
  });

  it('logs the admin in with the bootstrap password', async () => {
    await admin.goto(`${t.url}/`);
    await logIn(admin, 'akadmin', ADMIN_PASSWORD);
    await admin.waitForURL(`${t.url}/if/user/`);
    await admin.getByRole('link', { name: 'Admin interface' }).click();
    await admin.getByRole('heading', { name: 'Overview' }).waitFor();
  });

  it('creates a user with a password and a group with that user in it', async () => {
    await open('/core/users/', 'Users');
    await admin.getByRole('button', { name: 'Create', exact: true }).click();
    let dialog = admin.getByRole('dialog');
    await dialog.getByLabel(/^Username/).fill('alice');
    await dialog.getByLabel(/^Name/).fill('Alice Liddell');
    await dialog.getByLabel(/^Email/).fill('alice@example.org');
    await dialog.getByRole('button', { name: 'Create' }).click();
    await admin.getByRole('heading', { name: 'User: alice' }).waitFor();
    await admin.getByRole('button', { name: 'Set password' }).click();
    await admin.getByRole('dialog').getByLabel(/^Password/).fill(ALICE_PASSWORD);
    await admin.getByRole('dialog').getByRole('button', { name: 'Set password' }).click();
    await admin.getByText('Password updated.').waitFor();
    await admin.getByRole('dialog').getByRole('button', { name: 'Done' }).click();

    await open('/core/users/', 'Users');
    await admin.getByLabel('Search Users').fill('alice');
    await admin.getByRole('link', { name: 'alice', exact: true }).waitFor();
    await admin.getByRole('link', { name: 'bob', exact: true }).waitFor({ state: 'detached' });

    await open('/core/groups/', 'Groups');
    await admin.getByRole('button', { name: 'Create', exact: true }).click();
    dialog = admin.getByRole('dialog');
    await dialog.getByLabel(/^Name/).fill('Wiki users');
    await dialog.getByRole('button', { name: 'Create' }).click();
    await admin.getByRole('heading', { name: 'Group: Wiki users' }).waitFor();
    await admin.getByLabel('Search User', { exact: true }).fill('alice');
    await admin.locator('#ak-add-User').selectOption({ label: 'alice' });
    await admin.getByRole('button', { name: 'Add', exact: true }).click();
    await admin.getByRole('link', { name: 'alice' }).waitFor();
  });

  it('creates the application with an OAuth2 provider through the wizard', async () => {
    await open('/core/applications/', 'Applications');
    await admin.getByRole('button', { name: 'Create with provider' }).click();
    const dialog = admin.getByRole('dialog');
    await dialog.getByLabel(/^Name/).fill('Team Wiki');
    await dialog.getByLabel(/^Slug/).fill('team-wiki');
    await dialog.getByRole('button', { name: 'Next' }).click();
    await dialog.getByLabel('OAuth2 Provider').check();
    await dialog.getByRole('button', { name: 'Next' }).click();
    await dialog.getByLabel(/^Authorization flow/).selectOption({ label: 'Authorize Application (default-provider-authorization-explicit-consent)' });
    await dialog.getByLabel('Client type').selectOption('confidential');
    // A typo in the redirect URI, fixed on the provider page below.
    await dialog.getByLabel('Redirect URIs').fill(callback.replace('/callback', '/calback'));
    await dialog.getByLabel(/^Signing key/).selectOption({ label: 'authentik Self-signed Certificate' });
    const mappings = dialog.getByRole('group', { name: /^Property mappings/ });
    // authentik's defaults come selected for a new provider: openid, email and profile, not offline_access.
    for (const scope of ['openid', 'email', 'profile']) assert.equal(await mappings.getByLabel(`authentik default OAuth Mapping: OpenID '${scope}'`).isChecked(), true, scope);
    assert.equal(await mappings.getByLabel("authentik default OAuth Mapping: OpenID 'offline_access'").isChecked(), false);
    await dialog.getByRole('button', { name: 'Create' }).click();
    await admin.getByRole('heading', { name: 'Application: Team Wiki' }).waitFor();
  });

  it("shows the provider's client ID, secret and OIDC URLs, and edits its redirect URIs", async () => {
    await admin.getByRole('link', { name: 'Provider for Team Wiki' }).click();
    await admin.getByRole('heading', { name: 'OAuth2 Provider: Provider for Team Wiki' }).waitFor();
    const labels = {
      clientId: 'Client ID', clientSecret: 'Client Secret', discovery: 'OpenID Configuration URL', issuer: 'OpenID Configuration Issuer',
      authorize: 'Authorize URL', token: 'Token URL', userinfo: 'Userinfo URL', jwks: 'JWKS URL',
    };
    for (const [key, label] of Object.entries(labels)) settings[key] = await admin.getByLabel(label, { exact: true }).inputValue();
    assert.match(settings.clientId, /^\w{20,}$/);
    assert.ok(settings.clientSecret.length >= 40);
    assert.equal(settings.issuer, `${t.url}/application/o/team-wiki/`);
    assert.equal(settings.discovery, `${t.url}/application/o/team-wiki/.well-known/openid-configuration`);
    assert.equal(settings.authorize, `${t.url}/application/o/authorize/`);
    assert.equal(settings.token, `${t.url}/application/o/token/`);
    assert.equal(settings.userinfo, `${t.url}/application/o/userinfo/`);
    assert.equal(settings.jwks, `${t.url}/application/o/team-wiki/jwks/`);
    // References read as names, linked: the authorization flow, the signing key, the scope mappings.
    await admin.getByRole('link', { name: 'Authorize Application' }).waitFor();
    await admin.getByRole('link', { name: 'authentik Self-signed Certificate' }).waitFor();
    await admin.getByRole('link', { name: "authentik default OAuth Mapping: OpenID 'email'" }).waitFor();
    await screenshot(admin, 'oauth2-provider-page');

    await admin.getByRole('button', { name: 'Edit' }).click();
    const dialog = admin.getByRole('dialog');
    await dialog.getByLabel('Redirect URIs').fill(callback);
    await dialog.getByRole('button', { name: 'Update' }).click();
    await dialog.waitFor({ state: 'detached' });
    await admin.getByText(callback, { exact: true }).first().waitFor();
    const provider = (await t.api('GET', `/providers/oauth2/?client_id=${settings.clientId}`)).body.results[0];
    assert.equal(provider.redirect_uris, callback);
  });

  it('restricts the application to the group with a binding', async () => {
    await admin.getByRole('link', { name: 'Team Wiki', exact: true }).click();
    await admin.getByRole('heading', { name: 'Application: Team Wiki' }).waitFor();
    await admin.getByRole('button', { name: 'Create', exact: true }).click();
    const dialog = admin.getByRole('dialog');
    await dialog.getByLabel(/^Group\b/).selectOption({ label: 'Wiki users' });
    await dialog.getByLabel(/^Order/).fill('0');
    await dialog.getByRole('button', { name: 'Create' }).click();
    await admin.getByRole('gridcell', { name: 'Wiki users' }).waitFor();
    await screenshot(admin, 'oauth2-application-page');
  });

  async function authorizationRequest() {
    const config = await client.discovery(new URL(settings.issuer), settings.clientId, settings.clientSecret, undefined, insecure);
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: callback, scope: 'openid email profile', state,
      code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
    });
    return { config, verifier, state, url };
  }

  it('signs the group member in to the OIDC client through the login and consent pages', async () => {
    const { config, verifier, state, url } = await authorizationRequest();
    const { context, page } = await newPage(browser);
    await page.goto(url.href);
    await logIn(page, 'alice', ALICE_PASSWORD);
    await page.getByText("You're about to sign into Team Wiki.").waitFor();
    await screenshot(page, 'oauth2-consent');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByText('Back at the wiki').waitFor();

    const tokens = await client.authorizationCodeGrant(config, new URL(page.url()), { pkceCodeVerifier: verifier, expectedState: state });
    const claims = tokens.claims()!;
    assert.equal(claims.iss, settings.issuer);
    assert.equal(claims.aud, settings.clientId);
    const info = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
    assert.equal(info.preferred_username, 'alice');
    assert.equal(info.email, 'alice@example.org');
    assert.equal(info.name, 'Alice Liddell');
    await context.close();
  });

  it('refuses someone outside the group', async () => {
    const { url } = await authorizationRequest();
    const { context, page } = await newPage(browser);
    await page.goto(url.href);
    await logIn(page, 'bob', 'bob-password-2026');
    await page.getByText('Permission denied').first().waitFor();
    assert.ok(!page.url().startsWith(callback));
    await context.close();
  });
});
