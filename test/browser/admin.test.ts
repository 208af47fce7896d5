// The admin interface in a real browser against the real API: generated lists, details and forms.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startTestApp, type TestApp } from '../support/app.js';
import { createRecoveryKey } from '../../src/core/recovery.js';
import { ensureWebBuild, launchBrowser, newPage, overflowsHorizontally, screenshot } from './browser.js';

describe('admin interface', () => {
  let t: TestApp;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  before(async () => {
    ensureWebBuild();
    t = await startTestApp();
    browser = await launchBrowser();
    ({ context, page } = await newPage(browser));
    // A recovery link logs the admin in with a session cookie, as a person would get one.
    await page.goto(`${t.url}${await createRecoveryKey(t.services, 'akadmin', 1)}`);
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
  });
  after(async () => {
    await browser?.close();
    await t?.close();
  });

  const open = async (route: string, heading: string | RegExp) => {
    await page.goto(`${t.url}/if/admin/#${route}`);
    await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
  };

  it('shows the system overview', async () => {
    assert.equal(new URL(page.url()).pathname, '/if/admin/');
    await page.getByText('2023.10.4').waitFor();
    await page.getByRole('img', { name: /Logins over the last week/ }).waitFor();
    await page.getByRole('link', { name: 'User interface' }).waitFor();
    assert.equal(await page.title(), 'Admin interface - authentik');
    await screenshot(page, 'admin-overview');
  });

  it('creates an application through the form generated from ApplicationRequest, then finds, sorts and deletes it', async () => {
    await open('/core/applications/', 'Applications');
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel(/^Name/).fill('Grafana');
    await dialog.getByLabel(/^Slug/).fill('Not a slug!');
    await dialog.getByLabel('Meta launch URL').fill('https://grafana.example.test/');
    await dialog.getByLabel('Policy engine mode').selectOption('any');
    await screenshot(page, 'admin-application-form');
    await dialog.getByRole('button', { name: 'Create' }).click();
    // The server's validation error appears beside the slug field.
    await dialog.locator('#' + (await dialog.getByLabel(/^Slug/).getAttribute('aria-describedby'))).getByText(/slug|valid/i).first().waitFor();
    await dialog.getByLabel(/^Slug/).fill('grafana');
    await dialog.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('heading', { name: 'Application: Grafana' }).waitFor();
    assert.match(page.url(), /#\/core\/applications\/grafana$/);
    await page.getByText('https://grafana.example.test/').first().waitFor();
    const created = await t.api('GET', '/core/applications/grafana/');
    assert.equal(created.body.policy_engine_mode, 'any');
    await screenshot(page, 'admin-application-detail');

    await t.api('POST', '/core/applications/', { body: { name: 'Argo CD', slug: 'argocd' } });
    await open('/core/applications/', 'Applications');
    await page.getByRole('link', { name: 'Argo CD' }).waitFor();
    await page.getByLabel('Search Applications').fill('graf');
    await page.getByRole('link', { name: 'Argo CD' }).waitFor({ state: 'detached' });
    await page.getByLabel('Search Applications').fill('');
    await page.getByRole('button', { name: 'Name' }).click();
    await page.getByRole('button', { name: 'Name' }).click();
    await page.waitForFunction(() => document.querySelector('tbody tr td:nth-child(2)')?.textContent === 'Grafana');
    const names = await page.locator('tbody tr td:nth-child(2)').allTextContents();
    assert.deepEqual(names, ['Grafana', 'Argo CD'], 'sorted by name, descending');

    await page.getByRole('row', { name: /Grafana/ }).getByRole('checkbox').check();
    await page.getByRole('row', { name: /Argo CD/ }).getByRole('checkbox').check();
    await page.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('dialog').getByText('not used by anything else').first().waitFor();
    await screenshot(page, 'admin-bulk-delete');
    await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
    await page.getByText('No objects found.').waitFor();
    assert.equal((await t.api('GET', '/core/applications/')).body.pagination.count, 0);
  });

  it('shows what uses an object before deleting it', async () => {
    const group = await t.api('POST', '/core/groups/', { body: { name: 'auditors' } });
    await t.api('POST', '/policies/bindings/', { body: { group: group.body.pk, target: (await t.api('POST', '/core/applications/', { body: { name: 'Wiki', slug: 'wiki' } })).body.pk, order: 0 } });
    await open('/core/groups/', 'Groups');
    await page.getByRole('row', { name: /auditors/ }).getByRole('checkbox').check();
    await page.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('dialog').getByText(/will be deleted|will lose/).first().waitFor();
    await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
  });

  it('creates a group with the generated form and manages its members', async () => {
    await open('/core/groups/', 'Groups');
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel(/^Name/).fill('engineers');
    await dialog.getByLabel('Attributes').click();
    await page.keyboard.type('team: platform');
    await dialog.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('heading', { name: 'Group: engineers' }).waitFor();
    const groups = await t.api('GET', '/core/groups/?name=engineers');
    assert.deepEqual(groups.body.results[0].attributes, { team: 'platform' });

    await page.getByLabel('Search User', { exact: true }).fill('akadmin');
    await page.locator('#ak-add-User').selectOption({ label: 'akadmin' });
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await page.getByRole('link', { name: 'akadmin' }).waitFor();
    const members = await t.api('GET', `/core/users/?groups_by_pk=${groups.body.results[0].pk}`);
    assert.deepEqual(members.body.results.map((u: { username: string }) => u.username), ['akadmin']);
    await screenshot(page, 'admin-group-detail');
    await page.getByRole('row', { name: /akadmin/ }).getByRole('button', { name: 'Remove' }).click();
    await page.getByText('No objects found.').waitFor();
  });

  it('edits an expression policy in the Python editor', async () => {
    await open('/policies/expression/', 'Expression Policies');
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel(/^Name/).fill('allow-admins');
    await dialog.getByRole('textbox', { name: 'Expression' }).click();
    await page.keyboard.type('return request.user.is_superuser');
    assert.ok(await dialog.locator('[data-language="python"] .cm-line').count());
    await screenshot(page, 'admin-expression-form');
    await dialog.getByRole('button', { name: 'Create' }).click();
    // The server checks the expression in its Python sandbox, which starts on first use.
    await page.getByRole('heading', { name: 'Expression Policy: allow-admins' }).waitFor({ timeout: 90_000 });
    const policies = await t.api('GET', '/policies/expression/?search=allow-admins');
    assert.equal(policies.body.results[0].expression, 'return request.user.is_superuser');
  });

  it('sets a password, makes a recovery link and impersonates from the user page', async () => {
    const user = await t.api('POST', '/core/users/', { body: { username: 'alice', name: 'Alice' } });
    await open(`/core/users/${user.body.pk}`, 'User: alice');
    await page.getByRole('button', { name: 'Set password' }).click();
    await page.getByRole('dialog').getByLabel(/^Password/).fill('alice-new-password');
    await page.getByRole('dialog').getByRole('button', { name: 'Set password' }).click();
    await page.getByText('Password updated.').waitFor();
    await page.getByRole('dialog').getByRole('button', { name: 'Done' }).click();
    await page.getByRole('button', { name: 'Recovery link' }).click();
    // Without a recovery flow the API refuses; either way the page shows its answer.
    const answer = await t.api('GET', `/core/users/${user.body.pk}/recovery/`, { unchecked: true });
    if (answer.status === 200) await page.getByRole('dialog').locator('input[value*="/recovery/"], input[value*="/if/flow/"]').waitFor();
    else await page.getByRole('dialog').getByText(answer.body.detail ?? Object.values(answer.body).flat().join(' ')).waitFor();
    await page.keyboard.press('Escape');

    await page.getByRole('button', { name: 'Impersonate' }).click();
    await page.waitForURL(/\/if\/user\//);
    await page.getByText("You're currently impersonating alice").waitFor();
    await screenshot(page, 'user-impersonating');
    await page.getByRole('button', { name: 'Stop impersonation' }).click();
    await page.waitForURL(/\/if\/admin\//);
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    assert.equal(await page.getByText("You're currently impersonating").count(), 0);
  });

  it("creates a flow with the generated form and edits its stage and policy bindings in place", async () => {
    await t.api('POST', '/stages/dummy/', { body: { name: 'first-dummy' } });
    await t.api('POST', '/stages/dummy/', { body: { name: 'second-dummy' } });
    await open('/flows/instances/', 'Flows');
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel(/^Name/).fill('Browser flow');
    await dialog.getByLabel(/^Slug/).fill('browser-flow');
    await dialog.getByLabel(/^Title/).fill('Hello from the browser');
    await dialog.getByLabel(/^Designation/).selectOption('authentication');
    await dialog.getByLabel('Layout').selectOption('sidebar_left');
    await dialog.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('heading', { name: 'Flow: Browser flow' }).waitFor();
    const flow = (await t.api('GET', '/flows/instances/browser-flow/')).body;
    assert.equal(flow.layout, 'sidebar_left');

    const stages = page.locator('.pf-v6-c-card', { hasText: 'Stage Bindings' });
    await stages.getByRole('button', { name: 'Create', exact: true }).click();
    await dialog.getByLabel(/^Stage\b/).selectOption({ label: 'first-dummy' });
    await dialog.getByLabel(/^Order/).fill('10');
    await dialog.getByRole('button', { name: 'Create' }).click();
    await stages.getByRole('gridcell', { name: 'first-dummy' }).waitFor();

    const order = stages.getByLabel('Order of first-dummy');
    await order.fill('30');
    await order.press('Enter');
    const bindingsOf = async () => (await t.api('GET', `/flows/bindings/?target=${flow.pk}`)).body.results;
    for (let i = 0; i < 50 && (await bindingsOf())[0]?.order !== 30; i += 1) await page.waitForTimeout(100);
    assert.equal((await bindingsOf())[0].order, 30, 'the order is saved where it is shown');

    await stages.getByRole('button', { name: 'Edit' }).click();
    await dialog.getByLabel(/^Stage\b/).selectOption({ label: 'second-dummy' });
    await dialog.getByRole('button', { name: 'Update' }).click();
    await stages.getByRole('gridcell', { name: 'second-dummy' }).waitFor();
    const [binding] = await bindingsOf();
    assert.equal(binding.stage_obj.name, 'second-dummy');

    await stages.getByRole('row', { name: /second-dummy/ }).getByRole('button', { name: 'Policies' }).click();
    await page.getByRole('dialog', { name: /Policies of stage binding/ }).getByText('No objects found.').waitFor();
    await page.keyboard.press('Escape');

    await screenshot(page, 'admin-flow-detail');
  });

  it("binds a group to an application and disables the binding in place", async () => {
    const app = (await t.api('POST', '/core/applications/', { body: { name: 'Payroll', slug: 'payroll' } })).body;
    await open('/core/applications/payroll', 'Application: Payroll');
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel(/^Group\b/).selectOption({ label: 'authentik Admins' });
    await dialog.getByLabel(/^Order/).fill('0');
    await dialog.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('gridcell', { name: 'authentik Admins' }).waitFor();
    const bindings = async () => (await t.api('GET', `/policies/bindings/?target=${app.pk}`)).body.results;
    assert.equal((await bindings())[0].group_obj.name, 'authentik Admins');
    await page.getByRole('switch', { name: 'Enabled' }).focus();
    await page.keyboard.press('Space');
    for (let i = 0; i < 50 && (await bindings())[0].enabled; i += 1) await page.waitForTimeout(100);
    assert.equal((await bindings())[0].enabled, false, 'disabled where it is shown');
    await screenshot(page, 'admin-application-bindings');
  });

  it('lists every model of the API and opens generated lists of them', async () => {
    await open('/administration/models', 'All models');
    const rows = await page.getByRole('row').count();
    assert.ok(rows > 90, `${rows} models listed`);
    await page.getByRole('link', { name: 'Tenants' }).first().click();
    await page.getByRole('link', { name: 'authentik-default' }).waitFor();
    await open('/administration/system-tasks', 'System Tasks');
    await page.getByRole('gridcell', { name: 'blueprints_discovery' }).waitFor();
  });

  it('is usable at 360 px with the sidebar folded', async () => {
    const small = await newPage(browser, { width: 360, height: 740 });
    await small.context.addCookies(await context.cookies());
    await small.page.goto(`${t.url}/if/admin/#/core/users/`);
    await small.page.getByRole('link', { name: 'akadmin' }).waitFor();
    assert.equal(await overflowsHorizontally(small.page), false);
    await small.page.getByRole('button', { name: 'Navigation' }).click();
    await small.page.getByRole('link', { name: 'Groups' }).click();
    await small.page.getByRole('heading', { name: 'Groups', level: 1 }).waitFor();
    await screenshot(small.page, 'admin-groups-360');
    await small.context.close();
  });
});
