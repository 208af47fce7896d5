// The application wizard: an application and its OAuth2 provider created in one go through the generated
// forms, then linked both ways (application → provider → application).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { startTestApp, type TestApp } from '../support/app.js';
import { createRecoveryKey } from '../../src/core/recovery.js';
import { ensureWebBuild, launchBrowser, newPage, screenshot } from './browser.js';

describe('application wizard', () => {
  let t: TestApp;
  let browser: Browser;
  let page: Page;
  before(async () => {
    ensureWebBuild();
    t = await startTestApp();
    const flow = await t.api('POST', '/flows/instances/', { body: { name: 'Authorize', slug: 'authorize', title: 'Authorize', designation: 'authorization' } });
    assert.equal(flow.status, 201, JSON.stringify(flow.body));
    browser = await launchBrowser();
    ({ page } = await newPage(browser));
    await page.goto(`${t.url}${await createRecoveryKey(t.services, 'akadmin', 1)}`);
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
  });
  after(async () => {
    await browser?.close();
    await t?.close();
  });

  it('creates an application with an OAuth2 provider', async () => {
    await page.goto(`${t.url}/if/admin/#/core/applications/`);
    await page.getByRole('button', { name: 'Create with provider' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel(/^Name/).fill('Grafana');
    await dialog.getByLabel(/^Slug/).fill('grafana');
    await dialog.getByLabel('Meta launch URL').fill('https://grafana.example.test/');
    await dialog.getByRole('button', { name: 'Next' }).click();
    await dialog.getByLabel('OAuth2 Provider').check();
    await screenshot(page, 'admin-wizard-provider-type');
    await dialog.getByRole('button', { name: 'Next' }).click();
    assert.equal(await dialog.getByLabel(/^Name/).inputValue(), 'Provider for Grafana');
    await dialog.getByLabel(/^Authorization flow/).selectOption({ label: 'Authorize (authorize)' });
    await dialog.getByLabel('Client type').selectOption('confidential');
    await dialog.getByLabel('Redirect URIs').fill('https://grafana.example.test/login/generic_oauth');
    await screenshot(page, 'admin-wizard-provider');
    await dialog.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('heading', { name: 'Application: Grafana' }).waitFor();

    const app = (await t.api('GET', '/core/applications/grafana/')).body;
    assert.equal(app.provider_obj.name, 'Provider for Grafana');
    const provider = (await t.api('GET', `/providers/oauth2/${app.provider}/`)).body;
    assert.equal(provider.client_type, 'confidential');
    assert.equal(provider.redirect_uris, 'https://grafana.example.test/login/generic_oauth');

    await page.getByRole('link', { name: 'Provider for Grafana' }).click();
    await page.getByRole('heading', { name: 'OAuth2 Provider: Provider for Grafana' }).waitFor();
    // The URLs are built from the request's host: the browser's, here.
    const urls = (await t.api('GET', `/providers/oauth2/${app.provider}/setup_urls/`)).body;
    await page.locator(`input[value="${t.url}${new URL(urls.token).pathname}"]`).waitFor();
    await screenshot(page, 'admin-oauth2-provider');
    await page.getByRole('link', { name: 'Grafana', exact: true }).click();
    await page.getByRole('heading', { name: 'Application: Grafana' }).waitFor();
  });
});
