import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { eq, sql } from 'drizzle-orm';
import { integer, pgTable, text } from 'drizzle-orm/pg-core';
import { startTestApp, type TestApp } from '../../../test/support/app.js';
import { models } from '../../api/registry.js';
import type { Json, ModelDefinition } from '../../api/model.js';
import { applications, providers } from '../table.js';
import { createUserWithToken, type TestUser } from '../tokens/testing.js';

const SCIM = 'authentik_providers_scim.scimprovider';

/**
 * A stand-in for a provider domain (until SCIM providers exist): a subtype table made in the test database and a
 * model registered as a provider domain would register it. With the real SCIM provider registered, that is used.
 */
const standInTable = pgTable('test_standin_scimprovider', {
  providerPtrId: integer('provider_ptr_id').primaryKey(),
  url: text('url').notNull(),
  token: text('token').notNull(),
});

function registerStandIn() {
  if (models.get(SCIM)) return;
  const model: ModelDefinition<Json> = {
    name: SCIM,
    verboseName: 'SCIM Provider',
    verboseNamePlural: 'SCIM Providers',
    table: standInTable,
    parent: { table: providers, pk: providers.id, link: standInTable.providerPtrId, values: { model: SCIM } },
    requestSchema: 'SCIMProviderRequest',
    pk: providers.id,
    fields: { name: { column: providers.name }, url: { column: standInTable.url }, token: { column: standInTable.token } },
    displayName: (row) => String(row.name),
    serialize: async (rows) => rows,
  };
  models.register(model);
}

describe('core/transactional/applications', () => {
  let t: TestApp;
  let alice: TestUser;
  const scimBody = (slug: string, providerName: string) => ({
    app: { name: `App ${slug}`, slug, meta_launch_url: 'https://app.test/' },
    provider_model: SCIM,
    provider: { name: providerName, url: 'https://scim.test/v2', token: 'secret-token' },
  });
  before(async () => {
    t = await startTestApp();
    alice = await createUserWithToken(t, 'alice');
  });
  after(() => t.close());

  it('names provider_model for provider types this server does not have', async () => {
    if (models.get('authentik_providers_radius.radiusprovider')) return;
    const res = await t.api('PUT', '/core/transactional/applications/', {
      body: { app: { name: 'Radius', slug: 'radius' }, provider_model: 'authentik_providers_radius.radiusprovider', provider: { name: 'radius' } },
    });
    assert.equal(res.status, 400);
    assert.deepEqual(res.body, { provider_model: ['Provider type authentik_providers_radius.radiusprovider is not supported by this server yet.'] });
    assert.equal((await t.api('GET', '/core/applications/radius/')).status, 404);
  });

  it('checks the request shape before writing anything', async () => {
    const empty = await t.api('PUT', '/core/transactional/applications/', { body: {} });
    assert.equal(empty.status, 400);
    assert.deepEqual(empty.body, { app: ['This field is required.'], provider_model: ['This field is required.'], provider: ['This field is required.'] });
    const bad = await t.api('PUT', '/core/transactional/applications/', { body: { app: { name: 'x', slug: 'no spaces' }, provider_model: 'authentik_core.user', provider: 'x' } });
    assert.equal(bad.status, 400);
    assert.deepEqual(bad.body, {
      app: { slug: ['Enter a valid "slug" consisting of letters, numbers, underscores or hyphens.'] },
      provider_model: ['"authentik_core.user" is not a valid choice.'],
      provider: ['Expected a dictionary of items but got type "str".'],
    });
    assert.equal((await t.api('PUT', '/core/transactional/applications/', { body: scimBody('mine', 'mine'), token: alice.token })).status, 403);
    assert.equal((await t.api('POST', '/core/transactional/applications/', { body: {}, unchecked: true })).status, 405);
  });

  describe('with a provider type registered', () => {
    before(async () => {
      await t.services.db.execute(sql`create table if not exists test_standin_scimprovider (
        provider_ptr_id integer primary key references authentik_core_provider(id) on delete cascade, url text not null, token text not null)`);
      registerStandIn();
    });

    it('creates the provider and the application using it, together', async () => {
      const res = await t.api('PUT', '/core/transactional/applications/', { body: scimBody('crm', 'CRM provider') });
      assert.equal(res.status, 200);
      assert.deepEqual(res.body, { applied: true, logs: [] });
      // A SCIM provider has no authorization flow, which the schema's `Provider` cannot express: give it one to read it back.
      await t.services.db.update(providers).set({ authorizationFlow: '00000000-0000-4000-8000-000000000001' }).where(eq(providers.name, 'CRM provider'));
      const app = await t.api('GET', '/core/applications/crm/');
      assert.equal(app.body.provider_obj.name, 'CRM provider');
      assert.equal(app.body.provider_obj.meta_model_name, SCIM);
      assert.equal(app.body.provider_obj.component, 'ak-provider-scim-form');
      assert.equal(app.body.provider_obj.assigned_application_slug, 'crm');
      assert.equal(app.body.launch_url, 'https://app.test/');
    });

    it('reports the failing part under its name and writes neither', async () => {
      const providerCount = async () => (await t.services.db.select().from(providers)).length;
      const before = await providerCount();
      const takenSlug = await t.api('PUT', '/core/transactional/applications/', { body: scimBody('crm', 'Another provider') });
      assert.equal(takenSlug.status, 400);
      assert.deepEqual(takenSlug.body, { app: { slug: ['Application with this slug already exists.'] } });
      assert.equal(await providerCount(), before);
      const badProvider = await t.api('PUT', '/core/transactional/applications/', {
        body: { ...scimBody('erp', 'ERP provider'), provider: { name: 'ERP provider', url: 'https://scim.test/v2' } },
      });
      assert.equal(badProvider.status, 400);
      assert.deepEqual(badProvider.body, { provider: { token: ['This field is required.'] } });
      assert.equal((await t.services.db.select().from(applications).where(eq(applications.slug, 'erp'))).length, 0);
      const takenName = await t.api('PUT', '/core/transactional/applications/', { body: scimBody('erp', 'CRM provider') });
      assert.equal(takenName.status, 400);
      assert.deepEqual(Object.keys(takenName.body), ['provider']);
      assert.equal(await providerCount(), before);
    });
  });
});
