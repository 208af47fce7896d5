import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { startTestApp, type TestApp } from '../../../test/support/app.js';
import { createUserWithToken, type TestUser } from '../../core/tokens/testing.js';
import { applyScopeBlueprint, createClient, selfSignedKeyPair } from './testing/setup.js';

describe('providers/oauth2 API', () => {
  let t: TestApp;
  let scopes: Map<string, string>;
  let keyPair: string;
  let alice: TestUser;
  before(async () => {
    t = await startTestApp();
    scopes = await applyScopeBlueprint(t);
    keyPair = await selfSignedKeyPair(t);
    alice = await createUserWithToken(t, 'alice');
  });
  after(() => t.close());

  it('applies the shipped scope mappings blueprint with authentik managed names, idempotently', async () => {
    for (const scope of ['openid', 'email', 'profile', 'offline_access']) assert.ok(scopes.has(scope), scope);
    const openid = await t.api('GET', `/propertymappings/scope/${scopes.get('openid')}/`);
    assert.equal(openid.body.managed, 'goauthentik.io/providers/oauth2/scope-openid');
    assert.equal(openid.body.component, 'ak-property-mapping-scope-form');
    assert.equal(openid.body.meta_model_name, 'authentik_providers_oauth2.scopemapping');
    const again = await applyScopeBlueprint(t);
    assert.deepEqual([...again.entries()].sort(), [...scopes.entries()].sort());
    const managed = await t.api('GET', '/propertymappings/scope/?managed=goauthentik.io/providers/oauth2/scope-email');
    assert.equal(managed.body.results.length, 1);
    assert.equal(managed.body.results[0].scope_name, 'email');
  });

  it('creates, reads, updates and deletes providers with every OAuth2Provider field', async () => {
    const flow = randomUUID();
    const created = await t.api('POST', '/providers/oauth2/', {
      body: {
        name: 'Grafana', authorization_flow: flow, client_type: 'confidential', redirect_uris: 'https://grafana.test/login/generic_oauth\nhttps://grafana.test/other',
        property_mappings: [scopes.get('openid'), scopes.get('email')], signing_key: keyPair, sub_mode: 'user_email', issuer_mode: 'global',
        access_code_validity: 'minutes=2', access_token_validity: 'hours=2;minutes=30', refresh_token_validity: 'days=7', include_claims_in_id_token: false,
      },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const body = created.body;
    assert.equal(body.client_id.length, 40);
    assert.equal(body.client_secret.length, 128);
    assert.equal(body.redirect_uris, 'https://grafana.test/login/generic_oauth\nhttps://grafana.test/other');
    assert.deepEqual(body.property_mappings.sort(), [scopes.get('openid'), scopes.get('email')].sort());
    assert.equal(body.component, 'ak-provider-oauth2-form');
    assert.equal(body.verbose_name, 'OAuth2/OpenID Provider');
    assert.equal(body.assigned_application_slug, '');
    assert.deepEqual(body.jwks_sources, []);
    const patched = await t.api('PATCH', `/providers/oauth2/${body.pk}/`, { body: { redirect_uris: [{ matching_mode: 'regex', url: 'https://.*\\.grafana\\.test/cb' }], client_type: 'public' } });
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
    assert.equal(patched.body.redirect_uris, 'https://.*\\.grafana\\.test/cb');
    assert.equal(patched.body.client_type, 'public');
    const listed = await t.api('GET', '/providers/oauth2/?client_type=public&search=graf');
    assert.deepEqual(listed.body.results.map((p: { pk: number }) => p.pk), [body.pk]);
    const all = await t.api('GET', `/providers/all/${body.pk}/`);
    assert.equal(all.status, 200);
    assert.equal(all.body.meta_model_name, 'authentik_providers_oauth2.oauth2provider');
    assert.equal((await t.api('DELETE', `/providers/all/${body.pk}/`)).status, 204);
    assert.equal((await t.api('GET', `/providers/oauth2/${body.pk}/`)).status, 404);
  });

  it('refuses invalid validity strings, regexes, keys and mappings with field errors', async () => {
    const bad = await t.api('POST', '/providers/oauth2/', {
      body: {
        name: 'Bad', authorization_flow: randomUUID(), access_token_validity: 'hours=one', property_mappings: [randomUUID()],
        redirect_uris: [{ matching_mode: 'regex', url: '(' }], signing_key: randomUUID(),
      },
    });
    assert.equal(bad.status, 400);
    assert.deepEqual(Object.keys(bad.body).sort(), ['access_token_validity', 'property_mappings', 'redirect_uris', 'signing_key']);
    assert.deepEqual(bad.body.access_token_validity, ["hours=one is not in the correct format of 'hours=3;minutes=1'."]);
    const dup = await t.api('POST', '/providers/oauth2/', { body: { name: 'Dup', authorization_flow: randomUUID(), client_id: 'same' } });
    assert.equal(dup.status, 201);
    const clash = await t.api('POST', '/providers/oauth2/', { body: { name: 'Dup 2', authorization_flow: randomUUID(), client_id: 'same' } });
    assert.equal(clash.status, 400);
    assert.ok(clash.body.client_id);
  });

  it('lists provider and mapping types, and setup URLs and a preview of the claims', async () => {
    const types = await t.api('GET', '/providers/all/types/');
    assert.ok(types.body.some((ty: { model_name: string; component: string }) => ty.model_name === 'oauth2provider' && ty.component === 'ak-provider-oauth2-form'));
    const mappingTypes = await t.api('GET', '/propertymappings/all/types/');
    assert.ok(mappingTypes.body.some((ty: { model_name: string }) => ty.model_name === 'scopemapping'));
    const client = await createClient(t, 'setup-app', { property_mappings: [...scopes.values()], signing_key: keyPair });
    const urls = await t.api('GET', `/providers/oauth2/${client.providerId}/setup_urls/`);
    assert.equal(urls.status, 200);
    assert.match(urls.body.issuer, /\/application\/o\/setup-app\/$/);
    assert.match(urls.body.provider_info, /\/application\/o\/setup-app\/\.well-known\/openid-configuration$/);
    const preview = await t.api('GET', `/providers/oauth2/${client.providerId}/preview_user/?for_user=${alice.pk}`);
    assert.equal(preview.status, 200);
    assert.equal(preview.body.preview.preferred_username, 'alice');
    assert.equal(preview.body.preview.aud, client.clientId);
    assert.equal(preview.body.preview.email_verified, false);
    const app = await t.api('GET', '/core/applications/setup-app/');
    assert.equal(app.body.provider_obj.assigned_application_slug, 'setup-app');
    const unassigned = await t.api('GET', '/providers/all/?application__isnull=true');
    assert.ok(!unassigned.body.results.some((p: { pk: number }) => p.pk === client.providerId));
  });

  it('tests a mapping with a user through /propertymappings/all/', async () => {
    const tested = await t.api('POST', `/propertymappings/all/${scopes.get('profile')}/test/`, { body: { user: alice.pk } });
    assert.equal(tested.status, 200);
    assert.equal(tested.body.successful, true);
    assert.equal(JSON.parse(tested.body.result).preferred_username, 'alice');
    const all = await t.api('GET', '/propertymappings/all/?managed__isnull=false&search=OpenID');
    assert.ok(all.body.results.every((m: { managed: string | null }) => m.managed));
    assert.ok(all.body.results.some((m: { scope_name?: string }) => m.scope_name === 'email'));
    const missing = await t.api('POST', `/propertymappings/all/${scopes.get('profile')}/test/`, { body: { user: 999999 } });
    assert.equal(missing.status, 400);
  });

  it('keeps scope mapping names unique across mapping types', async () => {
    const dup = await t.api('POST', '/propertymappings/scope/', { body: { name: "authentik default OAuth Mapping: OpenID 'email'", scope_name: 'x', expression: 'return {}' } });
    assert.equal(dup.status, 400);
    assert.ok(dup.body.name);
  });
});
