import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { TestApp } from '../../../../test/support/app.js';
import { applyBlueprint } from '../../../blueprints/importer.js';
import { loadBlueprint } from '../../../blueprints/loader.js';

/** Applies the shipped scope mappings blueprint and returns the mappings by scope name. */
export async function applyScopeBlueprint(t: TestApp): Promise<Map<string, string>> {
  const result = await applyBlueprint(t.services, loadBlueprint(readFileSync('blueprints/system/providers-oauth2.yaml', 'utf8')));
  assert.ok(result.ok, JSON.stringify(result));
  const list = await t.api('GET', '/propertymappings/scope/?page_size=100');
  assert.equal(list.status, 200);
  return new Map(list.body.results.map((m: { scope_name: string; pk: string }) => [m.scope_name, m.pk]));
}

export async function selfSignedKeyPair(t: TestApp): Promise<string> {
  const list = await t.api('GET', '/crypto/certificatekeypairs/?has_key=true');
  assert.equal(list.status, 200);
  const pair = list.body.results.find((k: { name: string }) => k.name === 'authentik Self-signed Certificate') ?? list.body.results[0];
  assert.ok(pair, 'a keypair with a private key exists');
  return pair.pk;
}

export interface TestClient {
  providerId: number;
  clientId: string;
  clientSecret: string;
  slug: string;
}

/** A provider and its application, through the transactional API as the admin UI makes them. */
export async function createClient(t: TestApp, slug: string, provider: Record<string, unknown>, authorizationFlow: string = randomUUID()): Promise<TestClient> {
  const created = await t.api('PUT', '/core/transactional/applications/', {
    body: {
      app: { name: `App ${slug}`, slug },
      provider_model: 'authentik_providers_oauth2.oauth2provider',
      provider: { name: `Provider ${slug}`, authorization_flow: authorizationFlow, ...provider },
    },
  });
  assert.equal(created.status, 200, JSON.stringify(created.body));
  const app = await t.api('GET', `/core/applications/${slug}/`);
  const detail = await t.api('GET', `/providers/oauth2/${app.body.provider}/`);
  assert.equal(detail.status, 200);
  return { providerId: detail.body.pk, clientId: detail.body.client_id, clientSecret: detail.body.client_secret, slug };
}

/** A password login flow (identification, password, user_login) built through the API; returns its slug. */
export async function createLoginFlow(t: TestApp, slug: string): Promise<string> {
  const flow = await t.api('POST', '/flows/instances/', { body: { name: slug, slug, title: slug, designation: 'authentication' } });
  assert.equal(flow.status, 201, JSON.stringify(flow.body));
  const ident = await t.api('POST', '/stages/identification/', { body: { name: `${slug}-ident`, user_fields: ['username', 'email'] } });
  const password = await t.api('POST', '/stages/password/', { body: { name: `${slug}-password`, backends: ['authentik.core.auth.InbuiltBackend'] } });
  const login = await t.api('POST', '/stages/user_login/', { body: { name: `${slug}-login` } });
  for (const [order, stage] of [[10, ident.body.pk], [20, password.body.pk], [100, login.body.pk]]) {
    const binding = await t.api('POST', '/flows/bindings/', { body: { target: flow.body.pk, stage, order } });
    assert.equal(binding.status, 201, JSON.stringify(binding.body));
  }
  return slug;
}
