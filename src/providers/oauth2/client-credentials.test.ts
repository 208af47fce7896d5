import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as client from 'openid-client';
import { randomUUID } from 'node:crypto';
import { SignJWT, createRemoteJWKSet, decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair, jwtVerify } from 'jose';
import { startTestApp, type TestApp } from '../../../test/support/app.js';
import { createUserWithToken } from '../../core/tokens/testing.js';
import { applyScopeBlueprint, createClient, selfSignedKeyPair, type TestClient } from './testing/setup.js';

const insecure = { execute: [client.allowInsecureRequests] };

async function form(url: string, body: Record<string, string>, headers: Record<string, string> = {}) {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(body) });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
}

describe('providers/oauth2 client credentials, discovery, introspection, revocation', () => {
  let t: TestApp;
  let rp: TestClient;
  let other: TestClient;
  let config: client.Configuration;
  before(async () => {
    t = await startTestApp();
    const scopes = await applyScopeBlueprint(t);
    const keyPair = await selfSignedKeyPair(t);
    const mappings = [...scopes.values()];
    rp = await createClient(t, 'machine', { property_mappings: mappings, signing_key: keyPair, redirect_uris: 'https://rp.test/cb' });
    other = await createClient(t, 'other', { property_mappings: mappings, signing_key: keyPair, redirect_uris: 'https://other.test/cb' });
    config = await client.discovery(new URL(`${t.url}/application/o/machine/`), rp.clientId, rp.clientSecret, undefined, insecure);
  });
  after(() => t.close());

  it('serves discovery and JWKS documents an RP accepts', async () => {
    const metadata = config.serverMetadata();
    assert.equal(metadata.issuer, `${t.url}/application/o/machine/`);
    assert.equal(metadata.token_endpoint, `${t.url}/application/o/token/`);
    assert.deepEqual(metadata.id_token_signing_alg_values_supported, ['RS256']);
    assert.ok(metadata.scopes_supported?.includes('openid'));
    const jwks = await (await fetch(metadata.jwks_uri!)).json() as { keys: { kid: string; use: string; alg: string }[] };
    assert.equal(jwks.keys.length, 1);
    assert.equal(jwks.keys[0].use, 'sig');
    assert.equal(jwks.keys[0].alg, 'RS256');
    const missing = await fetch(`${t.url}/application/o/nope/.well-known/openid-configuration`);
    assert.equal(missing.status, 404);
  });

  it('grants client_credentials with the client secret as an automatic service account', async () => {
    const tokens = await client.clientCredentialsGrant(config, { scope: 'openid profile unknown-scope' });
    assert.equal(tokens.token_type.toLowerCase(), 'bearer');
    assert.equal(tokens.scope, 'openid profile');
    assert.ok(tokens.expires_in && tokens.expires_in > 3000);
    const jwks = createRemoteJWKSet(new URL(config.serverMetadata().jwks_uri!));
    const { payload, protectedHeader } = await jwtVerify(tokens.access_token, jwks, { issuer: `${t.url}/application/o/machine/`, audience: rp.clientId });
    assert.equal(protectedHeader.alg, 'RS256');
    assert.equal(payload.azp, rp.clientId);
    assert.equal(payload.preferred_username, 'ak-Provider machine-client_credentials');
    const users = await t.api('GET', '/core/users/?username=ak-Provider machine-client_credentials');
    assert.equal(users.body.results[0].type, 'service_account');
    assert.equal(users.body.results[0].path, 'goauthentik.io/apps/machine');
    const info = await client.fetchUserInfo(config, tokens.access_token, payload.sub!);
    assert.equal(info.preferred_username, 'ak-Provider machine-client_credentials');
  });

  it('returns an ID token of its own beside the access token, as authentik does', async () => {
    const tokens = await client.clientCredentialsGrant(config, { scope: 'openid profile' });
    assert.ok(tokens.id_token);
    assert.notEqual(tokens.id_token, tokens.access_token);
    const jwks = createRemoteJWKSet(new URL(config.serverMetadata().jwks_uri!));
    const { payload: idToken } = await jwtVerify(tokens.id_token, jwks, { issuer: `${t.url}/application/o/machine/`, audience: rp.clientId });
    const access = decodeJwt(tokens.access_token);
    assert.equal(idToken.sub, access.sub);
    assert.deepEqual([idToken.azp, idToken.uid], [undefined, undefined]);
    assert.equal(access.azp, rp.clientId);
    assert.match(String(access.uid), /^[0-9a-f]{40}$/);
    const again = await client.clientCredentialsGrant(config, { scope: 'openid profile' });
    assert.notEqual(again.access_token, tokens.access_token);
    await jwtVerify(again.id_token!, jwks, { issuer: `${t.url}/application/o/machine/`, audience: rp.clientId });
  });

  it('grants client_credentials to a user with an app password, and the base64 username:password secret', async () => {
    const bob = await createUserWithToken(t, 'bob');
    const created = await t.api('POST', '/core/tokens/', { body: { identifier: 'bob-app', user: bob.pk, intent: 'app_password', expiring: false } });
    assert.equal(created.status, 201);
    const key = (await t.api('GET', '/core/tokens/bob-app/view_key/')).body.key as string;
    const tokens = await client.clientCredentialsGrant(config, { scope: 'openid email', username: 'bob', password: key });
    assert.equal(decodeJwt(tokens.access_token).email, '');
    assert.equal(decodeJwt(tokens.access_token).sub, (await t.api('GET', `/core/users/${bob.pk}/`)).body.uid);
    const viaSecret = await form(`${t.url}/application/o/token/`, {
      grant_type: 'client_credentials', client_id: rp.clientId, client_secret: Buffer.from(`bob:${key}`).toString('base64'), scope: 'openid',
    });
    assert.equal(viaSecret.status, 200, JSON.stringify(viaSecret.body));
    const wrong = await form(`${t.url}/application/o/token/`, { grant_type: 'password', client_id: rp.clientId, username: 'bob', password: 'nope' });
    assert.deepEqual([wrong.status, wrong.body.error], [400, 'invalid_grant']);
    const login = await t.api('GET', '/events/events/?action=login&username=bob', { unchecked: true });
    if (login.status === 200) assert.ok(login.body.results.some((e: { context: { auth_method?: string } }) => e.context.auth_method === 'token'));
  });

  it('refuses a wrong secret and an unknown client with invalid_client, 401 and a challenge', async () => {
    const wrongSecret = await form(`${t.url}/application/o/token/`, { grant_type: 'client_credentials' }, {
      authorization: `Basic ${Buffer.from(`${rp.clientId}:wrong`).toString('base64')}`,
    });
    assert.deepEqual([wrongSecret.status, wrongSecret.body.error], [400, 'invalid_grant']);
    const code = await form(`${t.url}/application/o/token/`, { grant_type: 'authorization_code', code: 'x', redirect_uri: 'https://rp.test/cb', client_id: rp.clientId, client_secret: 'wrong' });
    assert.deepEqual([code.status, code.body.error], [401, 'invalid_client']);
    assert.match(code.headers.get('www-authenticate') ?? '', /^Basic/);
    assert.equal(code.headers.get('cache-control'), 'no-store');
    const unknown = await form(`${t.url}/application/o/token/`, { grant_type: 'client_credentials', client_id: 'nobody', client_secret: 'x' });
    assert.deepEqual([unknown.status, unknown.body.error], [401, 'invalid_client']);
    const grant = await form(`${t.url}/application/o/token/`, { grant_type: 'magic', client_id: rp.clientId, client_secret: rp.clientSecret });
    assert.deepEqual([grant.status, grant.body.error], [400, 'unsupported_grant_type']);
    await assert.rejects(client.clientCredentialsGrant(await client.discovery(new URL(`${t.url}/application/o/machine/`), rp.clientId, 'wrong', undefined, insecure)));
  });

  it('introspects its own tokens only, and revokes them', async () => {
    const tokens = await client.clientCredentialsGrant(config, { scope: 'openid' });
    const active = await client.tokenIntrospection(config, tokens.access_token);
    assert.equal(active.active, true);
    assert.equal(active.client_id, rp.clientId);
    assert.equal(active.scope, 'openid');
    const otherConfig = await client.discovery(new URL(`${t.url}/application/o/other/`), other.clientId, other.clientSecret, undefined, insecure);
    assert.equal((await client.tokenIntrospection(otherConfig, tokens.access_token)).active, false);
    const badClient = await form(`${t.url}/application/o/introspect/`, { token: tokens.access_token, client_id: rp.clientId, client_secret: 'wrong' });
    assert.equal(badClient.status, 401);
    await client.tokenRevocation(otherConfig, tokens.access_token);
    assert.equal((await client.tokenIntrospection(config, tokens.access_token)).active, true);
    await client.tokenRevocation(config, tokens.access_token);
    assert.equal((await client.tokenIntrospection(config, tokens.access_token)).active, false);
    const userinfo = await fetch(`${t.url}/application/o/userinfo/`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    assert.equal(userinfo.status, 401);
    assert.match(userinfo.headers.get('www-authenticate') ?? '', /error="invalid_token"/);
  });

  it('signs with HS256 and the client secret without a signing key', async () => {
    const hs = await createClient(t, 'hs', { redirect_uris: 'https://hs.test/cb' });
    const tokens = await form(`${t.url}/application/o/token/`, { grant_type: 'client_credentials', client_id: hs.clientId, client_secret: hs.clientSecret });
    assert.equal(tokens.status, 200);
    assert.equal(decodeProtectedHeader(tokens.body.access_token).alg, 'HS256');
    await jwtVerify(tokens.body.access_token, new TextEncoder().encode(hs.clientSecret));
    const jwks = await (await fetch(`${t.url}/application/o/hs/jwks/`)).json();
    assert.deepEqual(jwks, { keys: [] });
  });

  it('runs custom scope mappings in the Python sandbox, skipping ones that raise', async () => {
    const bad = await t.api('POST', '/propertymappings/scope/', { body: { name: 'broken syntax', scope_name: 'x', expression: 'return {' } });
    assert.equal(bad.status, 400);
    assert.match(bad.body.expression[0], /^Expression Syntax Error/);
    const custom = await t.api('POST', '/propertymappings/scope/', {
      body: { name: 'custom', scope_name: 'custom', expression: 'return {"shout": request.user.username.upper() + "!", "provider_name": provider.name}' },
    });
    assert.equal(custom.status, 201, JSON.stringify(custom.body));
    const raising = await t.api('POST', '/propertymappings/scope/', { body: { name: 'raising', scope_name: 'raising', expression: 'raise ValueError("nope")' } });
    assert.equal(raising.status, 201);
    const provider = await t.api('GET', `/providers/oauth2/${rp.providerId}/`);
    await t.api('PATCH', `/providers/oauth2/${rp.providerId}/`, { body: { property_mappings: [...provider.body.property_mappings, custom.body.pk, raising.body.pk] } });
    const tokens = await client.clientCredentialsGrant(config, { scope: 'openid custom raising' });
    const claims = decodeJwt(tokens.access_token);
    assert.equal(claims.shout, 'AK-PROVIDER MACHINE-CLIENT_CREDENTIALS!');
    assert.equal(claims.provider_name, 'Provider machine');
    const tested = await t.api('POST', `/propertymappings/all/${raising.body.pk}/test/`, { body: { user: 1 } });
    assert.deepEqual([tested.body.successful, tested.body.result], [false, 'nope']);
  });

  it('grants client_credentials to a JWT signed by a key of one of its jwks_sources', async (ctx) => {
    const db = t.services.database;
    const [tables] = await db.query<{ exists: boolean }>(
      `select to_regclass('authentik_sources_oauth_oauthsource') is not null or to_regclass('authentik_core_source') is not null as "exists"`,
    );
    if (tables.exists) {
      ctx.skip('the OAuth source domain owns its tables now: make the source through its API');
      return;
    }
    // authentik's OAuth source tables, reduced to what a provider reads of them (that domain is not built yet).
    await db.query('create table authentik_core_source (pbm_uuid uuid primary key, slug text not null, user_path_template text not null)');
    await db.query('create table authentik_sources_oauth_oauthsource (source_ptr_id uuid primary key references authentik_core_source (pbm_uuid), oidc_jwks jsonb)');
    const { publicKey, privateKey } = await generateKeyPair('ES256');
    const sourceId = randomUUID();
    await db.query(`insert into authentik_core_source values ($1, 'partner', 'goauthentik.io/sources/%(slug)s')`, [sourceId]);
    await db.query('insert into authentik_sources_oauth_oauthsource values ($1, $2::jsonb)', [sourceId, JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid: 'partner-1', alg: 'ES256', use: 'sig' }] })]);
    const patched = await t.api('PATCH', `/providers/oauth2/${rp.providerId}/`, { body: { jwks_sources: [sourceId] } });
    assert.equal(patched.status, 200, JSON.stringify(patched.body));

    const jwtClient = await client.discovery(
      new URL(`${t.url}/application/o/machine/`), rp.clientId, undefined, client.PrivateKeyJwt({ key: privateKey, kid: 'partner-1' }), insecure,
    );
    const tokens = await client.clientCredentialsGrant(jwtClient, { scope: 'openid profile' });
    assert.equal(decodeJwt(tokens.access_token).preferred_username, `Provider machine-${rp.clientId}`);
    const users = await t.api('GET', `/core/users/?username=${encodeURIComponent(`Provider machine-${rp.clientId}`)}`);
    assert.deepEqual([users.body.results[0].type, users.body.results[0].path], ['service_account', 'goauthentik.io/sources/partner']);

    const assertionGrant = (assertion: string) => form(`${t.url}/application/o/token/`, {
      grant_type: 'client_credentials', client_id: rp.clientId, client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: assertion,
    });
    const stranger = await generateKeyPair('ES256');
    const foreign = await new SignJWT({ sub: 'robot' }).setProtectedHeader({ alg: 'ES256', kid: 'partner-1' }).setIssuedAt().setExpirationTime('5m').sign(stranger.privateKey);
    assert.deepEqual([(await assertionGrant(foreign)).body.error], ['invalid_grant']);
    const expired = await new SignJWT({ sub: 'robot' }).setProtectedHeader({ alg: 'ES256', kid: 'partner-1' }).setIssuedAt(1_600_000_000).setExpirationTime(1_600_000_060).sign(privateKey);
    assert.deepEqual([(await assertionGrant(expired)).body.error], ['invalid_grant']);
    const fresh = await new SignJWT({ sub: 'robot' }).setProtectedHeader({ alg: 'ES256', kid: 'partner-1' }).setIssuedAt().setExpirationTime('5m').sign(privateKey);
    assert.equal((await assertionGrant(fresh)).status, 200);
  });
});
