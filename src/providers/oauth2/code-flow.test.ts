import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { eq } from 'drizzle-orm';
import * as client from 'openid-client';
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import { ADMIN_PASSWORD, startTestApp, type TestApp } from '../../../test/support/app.js';
import { checkResponse } from '../../../test/support/contract.js';
import { FlowClient } from '../../flows/testing.js';
import { authorizationCodes } from './table.js';
import { applyScopeBlueprint, createClient, createLoginFlow, selfSignedKeyPair, type TestClient } from './testing/setup.js';

const insecure = { execute: [client.allowInsecureRequests] };
const REDIRECT = 'https://rp.test/callback';

describe('providers/oauth2 authorization code, implicit, refresh, device, end-session', () => {
  let t: TestApp;
  let rp: TestClient;
  let config: client.Configuration;
  let loginSlug: string;
  let authzFlow: string;
  let alicePk: number;

  /** A browser that logged in through the real login flow. */
  async function browser(username = 'alice', password = 'alice-password-1'): Promise<FlowClient> {
    const c = new FlowClient(t.app, checkResponse);
    await c.get(loginSlug, 'next=/');
    await c.post(loginSlug, { component: 'ak-stage-identification', uid_field: username }, 'next=/');
    const done = await c.post(loginSlug, { component: 'ak-stage-password', password }, 'next=/');
    assert.equal(done.body?.component, 'xak-flow-redirect', JSON.stringify(done.body));
    return c;
  }

  /**
   * Follows the authorize endpoint into the authorization flow, consenting when asked (`offline_access` implies
   * `prompt=consent`); returns where the user is sent back to and the consent screens shown on the way.
   */
  async function authorizeWithConsents(c: FlowClient, url: URL): Promise<{ to: string; consents: { permissions: { id: string }[] }[] }> {
    const start = await c.request('GET', `${url.pathname}${url.search}`);
    assert.equal(start.statusCode, 302, start.body);
    const location = String(start.headers.location);
    if (!location.startsWith('/if/flow/')) return { to: location, consents: [] };
    const [, encoded, query] = /^\/if\/flow\/([^/]+)\/\?(.*)$/.exec(location)!;
    const slug = decodeURIComponent(encoded);
    const consents = [];
    let done = await c.get(slug, query);
    while (done.body?.component === 'ak-stage-consent') {
      consents.push(done.body);
      done = await c.post(slug, { component: 'ak-stage-consent', token: done.body.token }, query);
    }
    assert.equal(done.body?.component, 'xak-flow-redirect', JSON.stringify(done.body));
    return { to: done.body.to, consents };
  }

  async function authorize(c: FlowClient, url: URL): Promise<string> {
    return (await authorizeWithConsents(c, url)).to;
  }

  function authorizationUrl(extra: Record<string, string> = {}) {
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    return client.calculatePKCECodeChallenge(verifier).then((challenge) => ({
      verifier, state, nonce,
      url: client.buildAuthorizationUrl(config, {
        redirect_uri: REDIRECT, scope: 'openid profile email offline_access', code_challenge: challenge, code_challenge_method: 'S256', state, nonce, ...extra,
      }),
    }));
  }

  before(async () => {
    t = await startTestApp();
    const scopes = await applyScopeBlueprint(t);
    const keyPair = await selfSignedKeyPair(t);
    loginSlug = await createLoginFlow(t, 'oauth-login');
    const flow = await t.api('POST', '/flows/instances/', {
      body: { name: 'Authorize', slug: 'oauth-authorize', title: 'Redirecting to %(app)s', designation: 'authorization', authentication: 'require_authenticated' },
    });
    assert.equal(flow.status, 201, JSON.stringify(flow.body));
    authzFlow = flow.body.pk;
    const alice = await t.api('POST', '/core/users/', { body: { username: 'alice', name: 'Alice Liddell', email: 'alice@example.test' } });
    alicePk = alice.body.pk;
    assert.equal((await t.api('POST', `/core/users/${alicePk}/set_password/`, { body: { password: 'alice-password-1' } })).status, 204);
    rp = await createClient(t, 'webapp', { property_mappings: [...scopes.values()], signing_key: keyPair, redirect_uris: REDIRECT }, authzFlow);
    config = await client.discovery(new URL(`${t.url}/application/o/webapp/`), rp.clientId, rp.clientSecret, undefined, insecure);
  });
  after(() => t.close());

  it('signs a user in with code + PKCE through the login and authorization flows', async () => {
    const c = await browser();
    const { url, verifier, state, nonce } = await authorizationUrl();
    const back = await authorize(c, url);
    assert.ok(back.startsWith(`${REDIRECT}?`), back);
    const tokens = await client.authorizationCodeGrant(config, new URL(back), { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce });
    const claims = tokens.claims()!;
    assert.equal(claims.preferred_username, 'alice');
    assert.equal(claims.email, 'alice@example.test');
    assert.equal(claims.nonce, nonce);
    assert.equal(claims.acr, 'goauthentik.io/providers/oauth2/default');
    assert.deepEqual(claims.amr, ['pwd']);
    assert.ok(typeof claims.auth_time === 'number' && claims.auth_time <= Math.floor(Date.now() / 1000));
    assert.ok(claims.at_hash);
    assert.ok(claims.sid);
    const jwks = createRemoteJWKSet(new URL(config.serverMetadata().jwks_uri!));
    await jwtVerify(tokens.id_token!, jwks, { issuer: `${t.url}/application/o/webapp/`, audience: rp.clientId });
    const info = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
    assert.equal(info.name, 'Alice Liddell');
    assert.deepEqual(info.groups, []);
    assert.ok(tokens.refresh_token);

    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token!);
    assert.ok(refreshed.refresh_token && refreshed.refresh_token !== tokens.refresh_token);
    assert.equal(refreshed.claims()!.sub, claims.sub);
    assert.equal((await client.tokenIntrospection(config, refreshed.access_token)).active, true);
    // The replaced refresh token comes back: someone kept a copy, so the whole chain ends.
    await assert.rejects(client.refreshTokenGrant(config, tokens.refresh_token!), (err: client.ResponseBodyError) => err.error === 'invalid_grant');
    assert.equal((await client.tokenIntrospection(config, refreshed.access_token)).active, false);
    await assert.rejects(client.refreshTokenGrant(config, refreshed.refresh_token!));
  });

  it('refuses a replayed code and revokes what it gave out', async () => {
    const c = await browser();
    const { url, verifier, state, nonce } = await authorizationUrl();
    const back = new URL(await authorize(c, url));
    const tokens = await client.authorizationCodeGrant(config, back, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce });
    assert.equal((await client.tokenIntrospection(config, tokens.access_token)).active, true);
    await assert.rejects(
      client.authorizationCodeGrant(config, back, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce }),
      (err: client.ResponseBodyError) => err.error === 'invalid_grant',
    );
    assert.equal((await client.tokenIntrospection(config, tokens.access_token)).active, false);
    assert.equal((await client.tokenIntrospection(config, tokens.refresh_token!)).active, false);
  });

  it('refuses a PKCE mismatch, an expired code and PKCE-less public clients', async () => {
    const c = await browser();
    const first = await authorizationUrl();
    const back = new URL(await authorize(c, first.url));
    await assert.rejects(
      client.authorizationCodeGrant(config, back, { pkceCodeVerifier: client.randomPKCECodeVerifier(), expectedState: first.state, expectedNonce: first.nonce }),
      (err: client.ResponseBodyError) => err.error === 'invalid_grant',
    );
    const second = await authorizationUrl();
    const expiredBack = new URL(await authorize(c, second.url));
    await t.services.db.update(authorizationCodes).set({ expires: new Date(Date.now() - 1000) }).where(eq(authorizationCodes.code, expiredBack.searchParams.get('code')!));
    await assert.rejects(
      client.authorizationCodeGrant(config, expiredBack, { pkceCodeVerifier: second.verifier, expectedState: second.state, expectedNonce: second.nonce }),
      (err: client.ResponseBodyError) => err.error === 'invalid_grant',
    );
    const pub = await createClient(t, 'spa', { client_type: 'public', redirect_uris: 'https://spa.test/cb', property_mappings: [] }, authzFlow);
    const noPkce = await c.request('GET', `/application/o/authorize/?client_id=${pub.clientId}&response_type=code&redirect_uri=${encodeURIComponent('https://spa.test/cb')}&state=s1`);
    assert.equal(noPkce.statusCode, 302);
    const error = new URL(String(noPkce.headers.location));
    assert.deepEqual([error.origin, error.searchParams.get('error'), error.searchParams.get('state')], ['https://spa.test', 'invalid_request', 's1']);
  });

  it('never redirects to an unregistered redirect URI', async () => {
    const c = await browser();
    const { url } = await authorizationUrl({ redirect_uri: 'https://evil.test/callback' });
    const response = await c.request('GET', `${url.pathname}${url.search}`);
    assert.equal(response.statusCode, 400);
    assert.equal(response.headers.location, undefined);
    assert.match(response.body, /Redirect URI Error/);
    const unknown = await c.request('GET', '/application/o/authorize/?client_id=nope&redirect_uri=https://rp.test/callback&response_type=code');
    assert.equal(unknown.statusCode, 400);
    assert.equal(unknown.headers.location, undefined);
  });

  it('answers prompt=none without a session with login_required, and sends anonymous users to log in', async () => {
    const anonymous = new FlowClient(t.app, checkResponse);
    const { url } = await authorizationUrl({ prompt: 'none' });
    const response = await anonymous.request('GET', `${url.pathname}${url.search}`);
    assert.equal(response.statusCode, 302);
    const back = new URL(String(response.headers.location));
    assert.equal(back.origin + back.pathname, REDIRECT);
    assert.equal(back.searchParams.get('error'), 'login_required');
    const login = await authorizationUrl();
    const toLogin = await anonymous.request('GET', `${login.url.pathname}${login.url.search}`);
    assert.match(String(toLogin.headers.location), /^\/flows\/-\/default\/authentication\/\?next=%2Fapplication%2Fo%2Fauthorize%2F/);
  });

  it('asks for consent on prompt=consent when the authorization flow has no consent stage', async () => {
    const c = await browser();
    const plain = await authorizationUrl({ scope: 'openid profile' });
    const quiet = await authorizeWithConsents(c, plain.url);
    assert.deepEqual(quiet.consents, []);
    assert.ok(new URL(quiet.to).searchParams.get('code'));
    for (let round = 0; round < 2; round++) {
      // The added stage always asks: a consent given once is not kept.
      const asked = await authorizationUrl({ scope: 'openid profile', prompt: 'consent' });
      const consented = await authorizeWithConsents(c, asked.url);
      assert.equal(consented.consents.length, 1);
      assert.ok(consented.consents[0].permissions.some((p) => p.id === 'profile'), JSON.stringify(consented.consents[0]));
      const tokens = await client.authorizationCodeGrant(config, new URL(consented.to), { pkceCodeVerifier: asked.verifier, expectedState: asked.state, expectedNonce: asked.nonce });
      assert.equal(tokens.claims()!.preferred_username, 'alice');
    }
  });

  it('adds no consent stage of its own when the authorization flow has one', async () => {
    const stage = await t.api('POST', '/stages/consent/', { body: { name: 'oauth-permanent-consent', mode: 'permanent' } });
    assert.equal(stage.status, 201, JSON.stringify(stage.body));
    const flow = await t.api('POST', '/flows/instances/', {
      body: { name: 'Authorize with consent', slug: 'oauth-authorize-consent', title: 'Consent', designation: 'authorization', authentication: 'require_authenticated' },
    });
    assert.equal((await t.api('POST', '/flows/bindings/', { body: { target: flow.body.pk, stage: stage.body.pk, order: 10 } })).status, 201);
    const mappings = (await t.api('GET', `/providers/oauth2/${rp.providerId}/`)).body.property_mappings;
    const consenting = await createClient(t, 'consenting', { property_mappings: mappings, redirect_uris: REDIRECT }, flow.body.pk);
    const consentingConfig = await client.discovery(new URL(`${t.url}/application/o/consenting/`), consenting.clientId, consenting.clientSecret, undefined, insecure);
    const c = await browser();
    const url = () => client.buildAuthorizationUrl(consentingConfig, { redirect_uri: REDIRECT, scope: 'openid profile', prompt: 'consent', state: 'c' });
    assert.equal((await authorizeWithConsents(c, url())).consents.length, 1);
    // The flow's own stage remembers the consent; nothing else asks again.
    const second = await authorizeWithConsents(c, url());
    assert.deepEqual(second.consents, []);
    assert.ok(new URL(second.to).searchParams.get('code'));
  });

  it("sends anonymous users to the provider's authentication flow when it has one, and back", async () => {
    const loginFlow = await t.api('GET', `/flows/instances/${loginSlug}/`);
    const mappings = (await t.api('GET', `/providers/oauth2/${rp.providerId}/`)).body.property_mappings;
    const own = await createClient(t, 'own-login', { property_mappings: mappings, redirect_uris: REDIRECT, authentication_flow: loginFlow.body.pk }, authzFlow);
    const ownConfig = await client.discovery(new URL(`${t.url}/application/o/own-login/`), own.clientId, own.clientSecret, undefined, insecure);
    const verifier = client.randomPKCECodeVerifier();
    const url = client.buildAuthorizationUrl(ownConfig, {
      redirect_uri: REDIRECT, scope: 'openid', code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', state: 'own',
    });
    const anonymous = new FlowClient(t.app, checkResponse);
    const start = await anonymous.request('GET', `${url.pathname}${url.search}`);
    assert.equal(start.statusCode, 302);
    const location = String(start.headers.location);
    assert.match(location, /^\/if\/flow\/oauth-login\/\?next=%2Fapplication%2Fo%2Fauthorize%2F%3F/);
    const query = location.slice(location.indexOf('?') + 1);
    await anonymous.get(loginSlug, query);
    await anonymous.post(loginSlug, { component: 'ak-stage-identification', uid_field: 'alice' }, query);
    const done = await anonymous.post(loginSlug, { component: 'ak-stage-password', password: 'alice-password-1' }, query);
    assert.equal(done.body?.component, 'xak-flow-redirect', JSON.stringify(done.body));
    const next = new URL(done.body.to, t.url);
    assert.equal(next.pathname, '/application/o/authorize/');
    const back = new URL(await authorize(anonymous, next));
    assert.equal(back.searchParams.get('state'), 'own');
    const tokens = await client.authorizationCodeGrant(ownConfig, back, { pkceCodeVerifier: verifier, expectedState: 'own' });
    assert.ok(tokens.access_token);
  });

  it('shows the access-denied page to users the application policies refuse', async () => {
    const app = await t.api('GET', '/core/applications/webapp/');
    const bob = await t.api('POST', '/core/users/', { body: { username: 'bob', name: 'Bob' } });
    await t.api('POST', `/core/users/${bob.body.pk}/set_password/`, { body: { password: 'bob-password-1' } });
    const binding = await t.api('POST', '/policies/bindings/', { body: { target: app.body.pk, user: alicePk, order: 0 } });
    assert.equal(binding.status, 201, JSON.stringify(binding.body));
    try {
      const c = await browser('bob', 'bob-password-1');
      const { url } = await authorizationUrl();
      const denied = await c.request('GET', `${url.pathname}${url.search}`);
      assert.equal(denied.statusCode, 403);
      assert.match(denied.body, /Permission denied/);
      const allowed = await authorize(await browser(), (await authorizationUrl()).url);
      assert.ok(allowed.startsWith(REDIRECT));
    } finally {
      await t.api('DELETE', `/policies/bindings/${binding.body.pk}/`);
    }
  });

  it('answers implicit and hybrid requests in the fragment with at_hash and c_hash', async () => {
    const c = await browser();
    const nonce = client.randomNonce();
    const implicit = new URL(await authorize(c, client.buildAuthorizationUrl(config, { redirect_uri: REDIRECT, scope: 'openid email', response_type: 'id_token token', nonce, state: 'st' })));
    const fragment = new URLSearchParams(implicit.hash.slice(1));
    assert.equal(fragment.get('state'), 'st');
    const idToken = decodeJwt(fragment.get('id_token')!);
    assert.equal(idToken.nonce, nonce);
    assert.ok(idToken.at_hash);
    assert.equal(idToken.email, 'alice@example.test');
    const info = await client.fetchUserInfo(config, fragment.get('access_token')!, idToken.sub!);
    assert.equal(info.email, 'alice@example.test');
    const hybrid = new URL(await authorize(c, client.buildAuthorizationUrl(config, { redirect_uri: REDIRECT, scope: 'openid', response_type: 'code id_token', nonce, state: 'h' })));
    const values = new URLSearchParams(hybrid.hash.slice(1));
    assert.ok(values.get('code'));
    assert.ok(decodeJwt(values.get('id_token')!).c_hash);
    const noNonce = new URL(await authorize(c, client.buildAuthorizationUrl(config, { redirect_uri: REDIRECT, scope: 'openid', response_type: 'id_token', state: 'n' })));
    assert.equal(new URLSearchParams(noNonce.hash.slice(1)).get('error'), 'invalid_request');
  });

  it('grants a device code once the user enters it', async () => {
    const device = await client.initiateDeviceAuthorization(config, { scope: 'openid profile' });
    assert.match(device.user_code, /^\d{9}$/);
    assert.equal(device.verification_uri, `${t.url}/device`);
    const early = await fetch(`${t.url}/application/o/token/`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:device_code', device_code: device.device_code, client_id: rp.clientId, client_secret: rp.clientSecret }),
    });
    assert.equal(((await early.json()) as { error: string }).error, 'authorization_pending');
    const c = await browser();
    const entered = await c.request('GET', `/device?code=${device.user_code}`);
    assert.equal(entered.statusCode, 200, entered.body);
    assert.match(entered.body, /successfully authenticated your device/);
    const tokens = await client.pollDeviceAuthorizationGrant(config, { ...device, interval: 0 });
    assert.equal(tokens.claims()!.preferred_username, 'alice');
    const again = await c.request('GET', `/device?code=${device.user_code}`);
    assert.equal(again.statusCode, 400);
  });

  it('ends the session and the tokens issued in it, then returns to a registered URI', async () => {
    const c = await browser();
    const { url, verifier, state, nonce } = await authorizationUrl();
    const tokens = await client.authorizationCodeGrant(config, new URL(await authorize(c, url)), { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce });
    const end = client.buildEndSessionUrl(config, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: REDIRECT, state: 'bye' });
    const response = await c.request('GET', `${end.pathname}${end.search}`);
    assert.equal(response.statusCode, 302);
    assert.equal(response.headers.location, `${REDIRECT}?state=bye`);
    assert.equal((await client.tokenIntrospection(config, tokens.access_token)).active, false);
    const me = await c.api('GET', '/core/users/me/');
    assert.equal(me.status, 403);
    const { url: again } = await authorizationUrl();
    const toLogin = await c.request('GET', `${again.pathname}${again.search}`);
    assert.match(String(toLogin.headers.location), /^\/flows\/-\/default\/authentication\//);
  });

  it('lets users list and revoke their own grants through the API', async () => {
    const c = await browser();
    const { url, verifier, state, nonce } = await authorizationUrl();
    const tokens = await client.authorizationCodeGrant(config, new URL(await authorize(c, url)), { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce });
    const mine = await c.api('GET', '/oauth2/access_tokens/');
    assert.equal(mine.status, 200);
    assert.ok(mine.body.results.length > 0);
    assert.ok(mine.body.results.every((row: { user: { username: string } }) => row.user.username === 'alice'));
    const admin = await t.api('GET', `/oauth2/refresh_tokens/?user=${alicePk}`);
    assert.ok(admin.body.results.length > 0);
    const current = mine.body.results.find((row: { id_token: string }) => JSON.parse(row.id_token).nonce === nonce);
    assert.ok(current);
    const revoked = await c.api('DELETE', `/oauth2/access_tokens/${current.pk}/`);
    assert.equal(revoked.status, 204);
    assert.equal((await client.tokenIntrospection(config, tokens.access_token)).active, false);
    const codes = await t.api('GET', '/oauth2/authorization_codes/');
    assert.equal(codes.status, 200);
    void ADMIN_PASSWORD;
  });
});
