// The whole way through the real flow executor in a browser: / → the tenant's authentication flow, a wrong
// then the right password typed with the keyboard, the user interface, launching an application, logging out.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { ADMIN_PASSWORD, startTestApp, type TestApp } from '../support/app.js';
import { ensureWebBuild, launchBrowser, newPage, screenshot } from './browser.js';

describe('login in the browser', () => {
  let t: TestApp;
  let browser: Browser;
  let page: Page;
  let app: Server;
  let appUrl: string;

  /** A flow of stages created through their APIs and bound in order, as an admin would build it. */
  async function flowOf(slug: string, designation: string, stages: [string, Record<string, unknown>][]) {
    const flow = await t.api('POST', '/flows/instances/', { body: { name: slug, slug, title: 'Welcome to authentik!', designation } });
    assert.equal(flow.status, 201, JSON.stringify(flow.body));
    for (const [index, [type, body]] of stages.entries()) {
      const stage = await t.api('POST', `/stages/${type}/`, { body: { name: `${slug}-${type}`, ...body } });
      assert.equal(stage.status, 201, JSON.stringify(stage.body));
      assert.equal((await t.api('POST', '/flows/bindings/', { body: { target: flow.body.pk, stage: stage.body.pk, order: index * 10 } })).status, 201);
    }
  }

  before(async () => {
    ensureWebBuild();
    t = await startTestApp();
    await flowOf('browser-login', 'authentication', [
      ['identification', { user_fields: ['username', 'email'] }],
      ['password', { backends: ['authentik.core.auth.InbuiltBackend'] }],
      ['user_login', {}],
    ]);
    await flowOf('browser-logout', 'invalidation', [['user_logout', {}]]);
    app = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<h1>Hello from the wiki</h1>'));
    await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
    appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}/`;
    await t.api('POST', '/core/applications/', { body: { name: 'Team wiki', slug: 'wiki', meta_launch_url: appUrl } });
    browser = await launchBrowser();
    ({ page } = await newPage(browser));
  });
  after(async () => {
    await browser?.close();
    await t?.close();
    app?.close();
  });

  it('sends a visitor of / to the authentication flow page', async () => {
    await page.goto(`${t.url}/`);
    await page.getByLabel('Username or Email').waitFor();
    const url = new URL(page.url());
    assert.equal(url.pathname, '/if/flow/browser-login/');
    assert.equal(url.searchParams.get('next'), '/if/user/');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'ak-uid');
    await screenshot(page, 'login-identification');
  });

  it('shows the message of a wrong password beside the field, and logs in with the right one', async () => {
    await page.keyboard.type('akadmin');
    await page.keyboard.press('Enter');
    const password = page.getByLabel(/^Password/);
    await password.waitFor();
    await page.getByText('akadmin').first().waitFor();
    await page.keyboard.type('not-the-password');
    await page.keyboard.press('Enter');
    const errors = page.locator('#ak-password-errors');
    await errors.waitFor();
    assert.match(await errors.innerText(), /\S/);
    assert.equal(await password.getAttribute('aria-invalid'), 'true');
    await screenshot(page, 'login-wrong-password');
    await password.fill(ADMIN_PASSWORD);
    await page.keyboard.press('Enter');
    await page.waitForURL(`${t.url}/if/user/`);
    await page.getByRole('heading', { name: 'My applications' }).waitFor();
  });

  it('sees the application in the library and launches it', async () => {
    await page.getByRole('link', { name: 'Team wiki' }).click();
    await page.getByText('Hello from the wiki').waitFor();
    assert.equal(page.url(), appUrl);
    await page.goBack();
    await page.getByRole('link', { name: 'Team wiki' }).waitFor();
  });

  it('logs out through the invalidation flow', async () => {
    await page.getByRole('button', { name: 'User menu' }).click();
    await page.getByRole('menuitem', { name: 'Log out' }).click();
    await page.getByLabel('Username or Email').waitFor();
    assert.equal(new URL(page.url()).pathname, '/if/flow/browser-login/');
    const me = await page.evaluate(async () => (await fetch('/api/v3/core/users/me/')).status);
    assert.equal(me, 403, 'the session is gone');
    await page.goto(`${t.url}/if/admin/`);
    await page.getByLabel('Username or Email').waitFor();
  });
});
