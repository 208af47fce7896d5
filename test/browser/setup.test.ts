// A first start without AUTHENTIK_BOOTSTRAP_PASSWORD, as `npm start` makes it: the blueprints we ship are
// applied, akadmin has no usable password, and the printed URL (/) leads to the initial setup flow, where the
// admin sets an email and a password and lands logged in on the admin interface.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { eq } from 'drizzle-orm';
import type { Browser } from 'playwright-core';
import { startTestApp, type TestApp } from '../support/app.js';
import { users } from '../../src/core/table.js';
import { startBlueprintDiscovery } from '../../src/blueprints/tasks.js';
import { ensureWebBuild, launchBrowser, newPage, screenshot } from './browser.js';

const PASSWORD = /^Password(?! \(repeat\))/;
const REPEAT = /^Password \(repeat\)/;
const NEW_PASSWORD = 'a-long-first-admin-password-2026';

describe('initial setup in the browser', () => {
  let t: TestApp;
  let browser: Browser;
  before(async () => {
    ensureWebBuild();
    t = await startTestApp((config) => {
      config.blueprints_dir = resolve('blueprints');
    });
    // The test template was bootstrapped with a password; a first start without one leaves akadmin's empty.
    await t.services.db.update(users).set({ password: '' }).where(eq(users.username, 'akadmin'));
    await startBlueprintDiscovery(t.services)();
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await t?.close();
  });

  it('leads from / to the setup flow, shows field errors, and logs the admin into the admin interface', async () => {
    const { context, page } = await newPage(browser);
    await page.goto(`${t.url}/`);
    await page.getByText('Please set a password and email address for the default admin user').waitFor();
    assert.equal(new URL(page.url()).pathname, '/if/flow/initial-setup/');
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('name')), 'email');
    await screenshot(page, 'setup-initial');

    await page.getByLabel('Email').fill('admin@example.org');
    await page.getByLabel(PASSWORD).fill(NEW_PASSWORD);
    await page.getByLabel(REPEAT).fill('something-else-entirely');
    await page.keyboard.press('Enter');
    const repeat = page.getByLabel(REPEAT);
    // authentik reports the mismatch as a non-field error of the prompt stage, above the fields.
    await page.getByRole('alert').getByText("Passwords don't match.").waitFor();
    await screenshot(page, 'setup-password-mismatch');

    await page.getByLabel(PASSWORD).fill(NEW_PASSWORD);
    await repeat.fill(NEW_PASSWORD);
    await page.keyboard.press('Enter');
    await page.waitForURL(`${t.url}/if/admin/**`);
    await page.getByRole('heading', { name: 'Overview' }).waitFor();

    const [admin] = await t.services.db.select().from(users).where(eq(users.username, 'akadmin'));
    assert.equal(admin.email, 'admin@example.org');
    assert.match(admin.password, /^\w+\$/, 'a usable password hash');
    await context.close();
  });

  it('goes to the login page once set up, refuses the setup flow, and logs in with the new password', async () => {
    const { context, page } = await newPage(browser);
    await page.goto(`${t.url}/if/flow/initial-setup/`);
    await page.getByText(/does not apply to current user/i).first().waitFor();

    await page.goto(`${t.url}/`);
    await page.getByLabel(/Email or Username|Username or Email/).waitFor();
    assert.equal(new URL(page.url()).pathname, '/if/flow/default-authentication-flow/');
    await page.keyboard.type('admin@example.org');
    await page.keyboard.press('Enter');
    await page.getByLabel(/^Password/).waitFor();
    await page.keyboard.type(NEW_PASSWORD);
    await page.keyboard.press('Enter');
    await page.waitForURL(`${t.url}/if/user/`);
    await page.getByRole('heading', { name: 'My applications' }).waitFor();
    await context.close();
  });
});
