// The user interface in a real browser: the application library, launching an app, settings, logout link.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { startTestApp, type TestApp } from '../support/app.js';
import { createRecoveryKey } from '../../src/core/recovery.js';
import { ensureWebBuild, launchBrowser, newPage, overflowsHorizontally, screenshot } from './browser.js';

describe('user interface', () => {
  let t: TestApp;
  let browser: Browser;
  let page: Page;
  let app: Server;
  let appUrl: string;
  before(async () => {
    ensureWebBuild();
    t = await startTestApp();
    // An application to launch: a page on another port of this machine.
    app = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<h1>Hello from Grafana</h1>'));
    await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
    appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}/`;
    await t.api('POST', '/core/applications/', { body: { name: 'Grafana', slug: 'grafana', meta_launch_url: appUrl, meta_publisher: 'Grafana Labs', meta_description: 'Dashboards', group: 'Monitoring' } });
    await t.api('POST', '/core/applications/', { body: { name: 'Wiki', slug: 'wiki', meta_launch_url: `${appUrl}wiki/` } });
    await t.api('POST', '/core/applications/', { body: { name: 'Backend only', slug: 'backend-only' } });
    browser = await launchBrowser();
    ({ page } = await newPage(browser));
    await page.goto(`${t.url}${await createRecoveryKey(t.services, 'akadmin', 1)}`);
    await page.goto(`${t.url}/if/user/`);
    await page.getByRole('heading', { name: 'My applications' }).waitFor();
  });
  after(async () => {
    await browser?.close();
    await t?.close();
    app?.close();
  });

  it('shows the applications with a launch URL, grouped and searchable', async () => {
    await page.getByRole('link', { name: 'Grafana' }).waitFor();
    await page.getByRole('link', { name: 'Wiki' }).waitFor();
    assert.equal(await page.getByText('Backend only').count(), 0, 'applications without a launch URL are not in the library');
    await page.getByRole('region', { name: 'Monitoring' }).getByText('Grafana Labs').waitFor();
    assert.equal(await page.title(), 'My applications - authentik');
    await screenshot(page, 'user-library');
    await page.getByLabel('Search applications').fill('dash');
    await page.getByRole('link', { name: 'Wiki' }).waitFor({ state: 'detached' });
    await page.getByRole('link', { name: 'Grafana' }).waitFor();
    await page.getByLabel('Search applications').fill('');
  });

  it('launches an application', async () => {
    await page.getByRole('link', { name: 'Grafana' }).click();
    await page.getByText('Hello from Grafana').waitFor();
    assert.equal(page.url(), appUrl);
    await page.goBack();
    await page.getByRole('heading', { name: 'My applications' }).waitFor();
  });

  it('links to the admin interface for superusers and logs out through the invalidation flow', async () => {
    assert.equal(await page.getByRole('link', { name: 'Admin interface' }).getAttribute('href'), '/if/admin/');
    await page.getByRole('button', { name: 'User menu' }).click();
    const tenant = await t.api('GET', '/core/tenants/current/', { token: null });
    const logout = tenant.body.flow_invalidation ? `/if/flow/${tenant.body.flow_invalidation}/` : '/flows/-/default/invalidation/';
    assert.equal(await page.getByRole('menuitem', { name: 'Log out' }).getAttribute('href'), logout);
    await page.keyboard.press('Escape');
  });

  it('creates a token in the settings and shows its key', async () => {
    await page.goto(`${t.url}/if/user/#/settings`);
    await page.getByRole('tab', { name: 'Tokens and App passwords' }).click();
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel(/^Identifier/).fill('my-laptop');
    await dialog.getByLabel('Intent').selectOption('app_password');
    await dialog.getByLabel('Description').fill('For the mail client');
    await dialog.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('gridcell', { name: 'my-laptop' }).waitFor();
    const token = await t.api('GET', '/core/tokens/my-laptop/');
    assert.equal(token.body.intent, 'app_password');
    assert.equal(token.body.user, 1);
    await page.getByRole('row', { name: /my-laptop/ }).getByRole('button', { name: 'Show key' }).click();
    const key = (await t.api('GET', '/core/tokens/my-laptop/view_key/')).body.key;
    await page.getByText(key).waitFor();
    await screenshot(page, 'user-settings-tokens');
    for (const tab of ['Consent', 'Sessions', 'Password and MFA', 'User details']) {
      await page.getByRole('tab', { name: tab }).click();
      await page.getByRole('tabpanel', { name: tab }).waitFor();
    }
  });

  it('fits a 360 px screen', async () => {
    const small = await newPage(browser, { width: 360, height: 740 });
    await small.context.addCookies(await page.context().cookies());
    await small.page.goto(`${t.url}/if/user/`);
    await small.page.getByRole('link', { name: 'Grafana' }).waitFor();
    assert.equal(await overflowsHorizontally(small.page), false);
    await screenshot(small.page, 'user-library-360');
    await small.context.close();
  });
});
