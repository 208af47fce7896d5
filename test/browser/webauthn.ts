import type { Browser, Page } from 'playwright-core';
import { launchBrowser, newPage } from './browser.js';

/** What `navigator.credentials.*` returned, as `PublicKeyCredential.toJSON()` gives it (what WebAuthn libraries post). */
export type CredentialJson = Record<string, unknown> & { id: string; response: Record<string, unknown> };

/**
 * Gives the page an authenticator: Chromium's CDP virtual authenticator, a platform one (as a phone's or a laptop's
 * passkey store) that keeps discoverable credentials and verifies its user. Returns its id and CDP session.
 */
export async function addVirtualAuthenticator(page: Page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
  });
  return { cdp, authenticatorId };
}

/** `navigator.credentials.create` with creation options in WebAuthn's JSON form (as our challenges carry them). */
export function createCredential(page: Page, options: unknown): Promise<CredentialJson> {
  return page.evaluate(async (json) => {
    const publicKey = PublicKeyCredential.parseCreationOptionsFromJSON(json as PublicKeyCredentialCreationOptionsJSON);
    const credential = (await navigator.credentials.create({ publicKey })) as PublicKeyCredential;
    return credential.toJSON() as CredentialJson;
  }, options);
}

/** `navigator.credentials.get` with request options in WebAuthn's JSON form. */
export function getAssertion(page: Page, options: unknown): Promise<CredentialJson> {
  return page.evaluate(async (json) => {
    const publicKey = PublicKeyCredential.parseRequestOptionsFromJSON(json as PublicKeyCredentialRequestOptionsJSON);
    const credential = (await navigator.credentials.get({ publicKey })) as PublicKeyCredential;
    return credential.toJSON() as CredentialJson;
  }, options);
}

/**
 * A browser whose page has a virtual authenticator and stands on a blank page of `host` (served by the browser
 * itself): credentials are made for the page's origin, so the API tests' ceremonies run as our own pages' would.
 */
export async function authenticatorPageAt(host: string): Promise<{ browser: Browser; page: Page }> {
  const browser = await launchBrowser();
  const { page } = await newPage(browser);
  await addVirtualAuthenticator(page);
  await page.route(`http://${host}/blank`, (route) => route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>blank</title>' }));
  await page.goto(`http://${host}/blank`);
  return { browser, page };
}
