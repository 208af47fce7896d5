// What the browser tests of the flows we ship share: an app with the shipped blueprints applied and a user who
// can log in with a password, the login through the default authentication flow, and the MFA settings tab.
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { startTestApp, type TestApp } from '../support/app.js';
import { startBlueprintDiscovery } from '../../src/blueprints/tasks.js';

export interface PasswordUser {
  username: string;
  name: string;
  password: string;
}

/** A test app running the shipped flows (every blueprint under `blueprints/` applied), and `user` in it. */
export async function startAppWithShippedFlows(user: PasswordUser): Promise<TestApp> {
  const t = await startTestApp((config) => {
    config.blueprints_dir = resolve('blueprints');
  });
  await startBlueprintDiscovery(t.services)();
  const created = await t.api('POST', '/core/users/', { body: { username: user.username, name: user.name } });
  assert.equal((await t.api('POST', `/core/users/${created.body.pk}/set_password/`, { body: { password: user.password } })).status, 204);
  return t;
}

/** Username, then password, through `default-authentication-flow`, on to the user interface. */
export async function logInWithPassword(page: Page, base: string, user: PasswordUser): Promise<void> {
  await page.goto(`${base}/if/flow/default-authentication-flow/?next=%2Fif%2Fuser%2F`);
  await page.getByLabel(/Email or Username|Username or Email/).fill(user.username);
  await page.keyboard.press('Enter');
  await page.getByLabel(/^Password/).fill(user.password);
  await page.keyboard.press('Enter');
}

/** The user settings' "Password and MFA" tab, where devices are listed and set up. */
export async function openSecuritySettings(page: Page, base: string): Promise<void> {
  await page.goto(`${base}/if/user/#/settings`);
  await page.getByRole('heading', { name: 'User settings', level: 1 }).waitFor();
  await page.getByRole('tab', { name: 'Password and MFA' }).click();
}
