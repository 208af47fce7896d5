// TOTP in a browser, with the flows we ship: a user sets up an authenticator app from their settings (the QR
// code's key read off the page, the code computed by `otpauth` as a phone would), sees the device listed, and
// from then on the default authentication flow asks for a code after the password: a wrong one is refused,
// the right one logs them in.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as OTPAuth from 'otpauth';
import type { Browser } from 'playwright-core';
import type { TestApp } from '../support/app.js';
import { ensureWebBuild, launchBrowser, newPage, screenshot } from './browser.js';
import { logInWithPassword, openSecuritySettings, startAppWithShippedFlows } from './shipped-flows.js';

const CAROL = { username: 'carol', name: 'Carol', password: 'carol-password-2026' };
const STEP_SECONDS = 30;

describe('TOTP in the browser', () => {
  let t: TestApp;
  let browser: Browser;
  let key = '';

  /** The code an authenticator app shows `offsetSteps` periods from now. */
  const codeAt = (offsetSteps: number) =>
    new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(key), digits: 6, period: STEP_SECONDS }).generate({ timestamp: Date.now() + offsetSteps * STEP_SECONDS * 1000 });

  before(async () => {
    ensureWebBuild();
    t = await startAppWithShippedFlows(CAROL);
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await t?.close();
  });

  it('sets up an authenticator app from the user settings', async () => {
    const { page } = await newPage(browser);
    await logInWithPassword(page, t.url, CAROL);
    // No device yet: the flow's MFA validation lets her through.
    await page.waitForURL(`${t.url}/if/user/`);
    await openSecuritySettings(page, t.url);
    await page.getByText('No MFA devices enrolled.').waitFor();
    await page.getByRole('link', { name: 'TOTP Device' }).click();

    await page.getByRole('img', { name: 'QR code to scan with an authenticator app' }).waitFor();
    key = (await page.getByLabel('Setup key').inputValue()).trim();
    assert.match(key, /^[A-Z2-7]+=*$/, 'a base32 key');
    await screenshot(page, 'mfa-totp-setup');
    await page.getByLabel('Code from the app').fill(codeAt(0));
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL((url) => url.pathname === '/if/user/');

    await openSecuritySettings(page, t.url);
    const devices = page.getByRole('grid', { name: 'MFA devices' }).or(page.getByRole('table', { name: 'MFA devices' }));
    await devices.waitFor();
    assert.match(await devices.innerText(), /TOTP/);
    await page.context().close();
  });

  it('asks for a code after the password from then on: a wrong one is refused, the right one logs in', async () => {
    assert.ok(key, 'the device was set up');
    const { page } = await newPage(browser);
    await logInWithPassword(page, t.url, CAROL);
    const code = page.getByLabel(/Authenticator app code/);
    await code.waitFor();
    await screenshot(page, 'mfa-totp-validate');
    // Six digits no app shows now: neither this period's code nor a neighbour's.
    const taken = new Set([-1, 0, 1, 2].map(codeAt));
    const wrong = ['000000', '111111', '222222', '333333', '444444'].find((c) => !taken.has(c))!;
    await code.fill(wrong);
    await page.keyboard.press('Enter');
    await page.getByText('Invalid Token').waitFor();
    assert.equal(new URL(page.url()).pathname, '/if/flow/default-authentication-flow/');

    // A failure throttles the device for a second (django-otp's throttling, as authentik): a person takes longer.
    await page.waitForTimeout(1500);
    // The next period's code: the setup just used this period's, and a code is good once.
    await code.fill(codeAt(1));
    await page.keyboard.press('Enter');
    await page.waitForURL(`${t.url}/if/user/`);
    const me = await page.evaluate(async () => (await (await fetch('/api/v3/core/users/me/')).json()) as { user: { username: string } });
    assert.equal(me.user.username, CAROL.username);
    await page.context().close();
  });
});
