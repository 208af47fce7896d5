import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from '../support/app.js';
import { typedClient } from '../support/clients.js';

// Every call below is typed by the schema: a path, parameter or body that drifts from authentik's contract
// stops `npm test` at its type-check step; the checking fetch validates each answer at run time.
describe('contract: openapi-fetch with types generated from the 2023.10 schema', () => {
  let t: TestApp;
  let client: ReturnType<typeof typedClient>;
  before(async () => {
    t = await startTestApp();
    client = typedClient(t.url);
  });
  after(() => t.close());

  it('creates, lists (paged, searched, ordered, filtered), updates and deletes users', async () => {
    for (const name of ['una', 'vera', 'wes']) {
      const { data, response } = await client.POST('/core/users/', {
        body: { username: `of-${name}`, name: name.toUpperCase(), path: 'users/of', attributes: { team: name === 'wes' ? 'ops' : 'dev' } },
      });
      assert.equal(response.status, 201);
      assert.equal(data?.username, `of-${name}`);
    }
    const page = await client.GET('/core/users/', { params: { query: { search: 'of-', ordering: '-username', page_size: 2 } } });
    assert.deepEqual(page.data?.results.map((u) => u.username), ['of-wes', 'of-vera']);
    assert.equal(page.data?.pagination.total_pages, 2);
    const filtered = await client.GET('/core/users/', { params: { query: { path_startswith: 'users/of', attributes: JSON.stringify({ team: 'ops' }) } } });
    assert.deepEqual(filtered.data?.results.map((u) => u.username), ['of-wes']);
    const vera = page.data!.results[1];
    const updated = await client.PUT('/core/users/{id}/', { params: { path: { id: vera.pk } }, body: { username: 'of-vera', name: 'Vera V', is_active: false } });
    assert.equal(updated.data?.name, 'Vera V');
    assert.equal(updated.data?.is_active, false);
    const patched = await client.PATCH('/core/users/{id}/', { params: { path: { id: vera.pk } }, body: { email: 'vera@example.test' } });
    assert.equal(patched.data?.email, 'vera@example.test');
    assert.equal(patched.data?.name, 'Vera V');
    const removed = await client.DELETE('/core/users/{id}/', { params: { path: { id: vera.pk } } });
    assert.equal(removed.response.status, 204);
    const gone = await client.GET('/core/users/{id}/', { params: { path: { id: vera.pk } } });
    assert.equal(gone.response.status, 404);
    assert.deepEqual(gone.error, { detail: 'Not found.' });
  });

  it('manages groups with members, parents and used_by', async () => {
    const user = await client.POST('/core/users/', { body: { username: 'of-member', name: 'Member' } });
    const parent = await client.POST('/core/groups/', { body: { name: 'of-parent' } });
    assert.equal(parent.response.status, 201);
    const child = await client.POST('/core/groups/', { body: { name: 'of-child', parent: parent.data!.pk, users: [user.data!.pk] } });
    assert.equal(child.data?.parent_name, 'of-parent');
    assert.deepEqual(child.data?.users, [user.data!.pk]);
    const added = await client.POST('/core/groups/{group_uuid}/add_user/', { params: { path: { group_uuid: parent.data!.pk } }, body: { pk: user.data!.pk } });
    assert.equal(added.response.status, 204);
    const members = await client.GET('/core/groups/', { params: { query: { members_by_username: ['of-member'], ordering: 'name' } } });
    assert.deepEqual(members.data?.results.map((g) => g.name), ['of-child', 'of-parent']);
    const usedBy = await client.GET('/core/groups/{group_uuid}/used_by/', { params: { path: { group_uuid: parent.data!.pk } } });
    assert.ok(usedBy.data?.some((u) => u.name === 'of-child' && u.action === 'SET_NULL'));
    const cycle = await client.PATCH('/core/groups/{group_uuid}/', { params: { path: { group_uuid: parent.data!.pk } }, body: { parent: child.data!.pk } });
    assert.equal(cycle.response.status, 400);
    assert.ok(cycle.error && 'parent' in cycle.error);
    const deleted = await client.DELETE('/core/groups/{group_uuid}/', { params: { path: { group_uuid: parent.data!.pk } } });
    assert.equal(deleted.response.status, 204);
    const orphan = await client.GET('/core/groups/{group_uuid}/', { params: { path: { group_uuid: child.data!.pk } } });
    assert.equal(orphan.data?.parent, null);
  });

  it('answers 400 with the field named for a wrong type', async () => {
    const bad = await client.POST('/core/groups/', { body: { name: 'x', is_superuser: 'yes' as unknown as boolean } });
    assert.equal(bad.response.status, 400);
    assert.ok(bad.error && 'is_superuser' in bad.error);
  });

  it('creates, lists, updates and deletes applications', async () => {
    for (const slug of ['of-app-a', 'of-app-b', 'of-app-c']) {
      const { response } = await client.POST('/core/applications/', { body: { name: slug, slug, group: slug === 'of-app-c' ? 'tools' : '' } });
      assert.equal(response.status, 201);
    }
    const page = await client.GET('/core/applications/', { params: { query: { search: 'of-app', ordering: 'name', page_size: 2, page: 2 } } });
    assert.deepEqual(page.data?.results.map((a) => a.slug), ['of-app-c']);
    const grouped = await client.GET('/core/applications/', { params: { query: { group: 'tools' } } });
    assert.deepEqual(grouped.data?.results.map((a) => a.slug), ['of-app-c']);
    const dup = await client.POST('/core/applications/', { body: { name: 'again', slug: 'of-app-a' } });
    assert.equal(dup.response.status, 400);
    assert.ok(dup.error && 'slug' in dup.error);
    const patched = await client.PATCH('/core/applications/{slug}/', { params: { path: { slug: 'of-app-b' } }, body: { meta_launch_url: 'https://b.example.test/' } });
    assert.equal(patched.data?.launch_url, 'https://b.example.test/');
    const badSlug = await client.PATCH('/core/applications/{slug}/', { params: { path: { slug: 'of-app-b' } }, body: { slug: 'not a slug!' } });
    assert.equal(badSlug.response.status, 400);
    assert.equal((await client.DELETE('/core/applications/{slug}/', { params: { path: { slug: 'of-app-b' } } })).response.status, 204);
    assert.equal((await client.GET('/core/applications/{slug}/', { params: { path: { slug: 'of-app-b' } } })).response.status, 404);
  });

  it('creates, lists, updates and deletes tokens; a user sees only their own', async () => {
    const owner = await client.POST('/core/users/', { body: { username: 'of-token-owner', name: 'Owner' } });
    const created = await client.POST('/core/tokens/', { body: { identifier: 'of-token', intent: 'api', user: owner.data!.pk, expiring: false } });
    assert.equal(created.response.status, 201);
    assert.equal('key' in (created.data ?? {}), false, 'the key is never in a token body');
    const key = (await client.GET('/core/tokens/{identifier}/view_key/', { params: { path: { identifier: 'of-token' } } })).data!.key;
    await client.POST('/core/tokens/', { body: { identifier: 'of-admin-token', intent: 'api', expiring: false } });
    const asOwner = typedClient(t.url, key);
    const own = await asOwner.GET('/core/tokens/', { params: { query: { ordering: 'identifier' } } });
    assert.deepEqual(own.data?.results.map((tk) => tk.identifier), ['of-token']);
    const foreign = await asOwner.GET('/core/tokens/{identifier}/', { params: { path: { identifier: 'of-admin-token' } } });
    assert.equal(foreign.response.status, 404);
    const updated = await client.PUT('/core/tokens/{identifier}/', { params: { path: { identifier: 'of-token' } }, body: { identifier: 'of-token', intent: 'api', user: owner.data!.pk, expiring: false, description: 'updated' } });
    assert.equal(updated.data?.description, 'updated');
    const listed = await client.GET('/core/tokens/', { params: { query: { user__username: 'of-token-owner' } } });
    assert.deepEqual(listed.data?.results.map((tk) => tk.identifier), ['of-token']);
    assert.equal((await client.DELETE('/core/tokens/{identifier}/', { params: { path: { identifier: 'of-token' } } })).response.status, 204);
    assert.equal((await asOwner.GET('/core/users/me/')).response.status, 403);
  });
});
