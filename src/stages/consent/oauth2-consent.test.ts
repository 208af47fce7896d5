import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { eq } from 'drizzle-orm';
import * as client from 'openid-client';
import { startTestApp, type TestApp } from '../../../test/support/app.js';
import { checkResponse } from '../../../test/support/contract.js';
import { applyBlueprint } from '../../blueprints/importer.js';
import { loadBlueprint } from '../../blueprints/loader.js';
import { userConsents } from '../../core/table.js';
import { FlowClient } from '../../flows/testing.js';
import { applyScopeBlueprint, createClient, createLoginFlow, selfSignedKeyPair } from '../../providers/oauth2/testing/setup.js';

const insecure = { execute: [client.allowInsecureRequests] };
const REDIRECT = 'https://rp.test/callback';

/** The consent stage behind a real OAuth2 authorization: authentik's explicit-consent flow, as shipped. */
describe('stages/consent with the OAuth2 provider', () => {
  let t: TestApp;
  let config: client.Configuration;
  let loginSlug: string;

  async function browser(): Promise<FlowClient> {
    const c = new FlowClient(t.app, checkResponse);
    await c.get(loginSlug);
    await c.post(loginSlug, { uid_field: 'alice' });
    assert.equal((await c.post(loginSlug, { password: 'alice-password-1' })).body.component, 'xak-flow-redirect');
    return c;
  }

  /** Sends the browser to the authorize endpoint; returns the first challenge of the authorization flow. */
  async function authorize(c: FlowClient, scope: string) {
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT, scope, code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()), code_challenge_method: 'S256',
    });
    const start = await c.request('GET', `${url.pathname}${url.search}`);
    assert.equal(start.statusCode, 302, start.body);
    const [, slug, query] = /^\/if\/flow\/([^/]+)\/\?(.*)$/.exec(String(start.headers.location))!;
    assert.equal(slug, 'default-provider-authorization-explicit-consent');
    return { slug, query, first: await c.get(slug, query) };
  }

  before(async () => {
    t = await startTestApp();
    const scopes = await applyScopeBlueprint(t);
    const flow = await applyBlueprint(t.services, loadBlueprint(readFileSync('blueprints/default/flow-default-provider-authorization-explicit-consent.yaml', 'utf8')));
    assert.ok(flow.ok, JSON.stringify(flow));
    const authorization = await t.api('GET', '/flows/instances/default-provider-authorization-explicit-consent/');
    loginSlug = await createLoginFlow(t, 'consent-oauth-login');
    const alice = await t.api('POST', '/core/users/', { body: { username: 'alice', name: 'Alice', email: 'alice@example.test' } });
    assert.equal((await t.api('POST', `/core/users/${alice.body.pk}/set_password/`, { body: { password: 'alice-password-1' } })).status, 204);
    const rp = await createClient(t, 'consenting', {
      property_mappings: [...scopes.values()], signing_key: await selfSignedKeyPair(t), redirect_uris: REDIRECT,
    }, authorization.body.pk);
    config = await client.discovery(new URL(`${t.url}/application/o/consenting/`), rp.clientId, rp.clientSecret, undefined, insecure);
  });
  after(() => t.close());

  it('asks for the requested scopes once, then only for new ones', async () => {
    const c = await browser();
    const { slug, query, first } = await authorize(c, 'openid profile');
    assert.equal(first.body.component, 'ak-stage-consent');
    assert.equal(first.body.header_text, "You're about to sign into App consenting.");
    assert.deepEqual(first.body.permissions, [{ id: 'profile', name: 'General Profile Information' }]);
    assert.deepEqual(first.body.additional_permissions, []);
    const done = await c.post(slug, { token: first.body.token }, query);
    assert.equal(done.body.component, 'xak-flow-redirect');
    assert.ok(String(done.body.to).startsWith(`${REDIRECT}?code=`), done.body.to);
    const [stored] = await t.services.db.select().from(userConsents);
    assert.equal(stored.permissions, 'profile');
    assert.equal(stored.expiring, true, 'the shipped stage keeps consent for a while');

    const again = await authorize(c, 'openid profile');
    assert.equal(again.first.body.component, 'xak-flow-redirect', 'consent is not asked twice');
    assert.ok(String(again.first.body.to).startsWith(`${REDIRECT}?code=`));

    const more = await authorize(c, 'openid profile email');
    assert.equal(more.first.body.component, 'ak-stage-consent');
    assert.deepEqual(more.first.body.permissions, [{ id: 'profile', name: 'General Profile Information' }]);
    assert.deepEqual(more.first.body.additional_permissions, [{ id: 'email', name: 'Email address' }]);
    assert.equal((await c.post(more.slug, { token: more.first.body.token }, more.query)).body.component, 'xak-flow-redirect');
    const rows = await t.services.db.select().from(userConsents).where(eq(userConsents.userId, stored.userId));
    assert.equal(rows.length, 1);
    assert.deepEqual(rows[0].permissions.split(' ').sort(), ['email', 'profile']);
  });
});
