import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from '../../../test/support/app.js';

describe('core/users', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp();
  });
  after(() => t.close());

  it('bootstraps akadmin as a superuser in authentik Admins', async () => {
    const res = await t.api('GET', '/core/users/?username=akadmin');
    assert.equal(res.status, 200);
    assert.equal(res.body.pagination.count, 1);
    const [admin] = res.body.results;
    assert.equal(admin.is_superuser, true);
    assert.equal(admin.email, 'admin@example.test');
    assert.deepEqual(admin.groups_obj.map((g: { name: string }) => g.name), ['authentik Admins']);
  });

  it("makes an API token's user a superuser through a parent group, and takes it away with the group", async () => {
    const parent = await t.api('POST', '/core/groups/', { body: { name: 'admins-parent', is_superuser: true } });
    const child = await t.api('POST', '/core/groups/', { body: { name: 'admins-child', parent: parent.body.pk } });
    const carol = await t.api('POST', '/core/users/', { body: { username: 'carol', name: 'Carol', groups: [child.body.pk] } });
    const token = await t.api('POST', '/core/tokens/', { body: { identifier: 'carol-api', intent: 'api', user: carol.body.pk, expiring: false } });
    assert.equal(token.status, 201, JSON.stringify(token.body));
    const key = (await t.api('GET', '/core/tokens/carol-api/view_key/')).body.key as string;
    assert.equal((await t.api('GET', '/admin/system/', { token: key })).status, 200);
    assert.equal((await t.api('PATCH', `/core/groups/${parent.body.pk}/`, { body: { is_superuser: false } })).status, 200);
    assert.equal((await t.api('GET', '/admin/system/', { token: key })).status, 403);
    assert.equal((await t.api('PATCH', `/core/users/${carol.body.pk}/`, { body: { is_active: false } })).status, 200);
    const inactive = await t.api('GET', '/admin/system/', { token: key });
    assert.equal(inactive.status, 403);
    assert.equal(inactive.body.detail, 'Token invalid/expired');
  });

  it('creates, retrieves, updates and deletes a user', async () => {
    const created = await t.api('POST', '/core/users/', { body: { username: 'alice', name: 'Alice', email: 'alice@example.test', path: 'users/staff' } });
    assert.equal(created.status, 201);
    const pk = created.body.pk;
    assert.equal((await t.api('GET', `/core/users/${pk}/`)).body.username, 'alice');
    const patched = await t.api('PATCH', `/core/users/${pk}/`, { body: { name: 'Alice A.' } });
    assert.equal(patched.body.name, 'Alice A.');
    assert.equal(patched.body.email, 'alice@example.test');
    assert.equal((await t.api('DELETE', `/core/users/${pk}/`)).status, 204);
    assert.equal((await t.api('GET', `/core/users/${pk}/`)).status, 404);
  });

  it('refuses a duplicate username with a field error and keeps the first', async () => {
    await t.api('POST', '/core/users/', { body: { username: 'bob', name: 'Bob' } });
    const dup = await t.api('POST', '/core/users/', { body: { username: 'bob', name: 'Other Bob' } });
    assert.equal(dup.status, 400);
    assert.ok(Array.isArray(dup.body.username));
    const list = await t.api('GET', '/core/users/?username=bob');
    assert.equal(list.body.results.length, 1);
    assert.equal(list.body.results[0].name, 'Bob');
  });

  it('names wrong types and missing fields', async () => {
    const res = await t.api('POST', '/core/users/', { body: { name: 5, is_active: 'maybe' } });
    assert.equal(res.status, 400);
    assert.deepEqual(Object.keys(res.body).sort(), ['is_active', 'name', 'username']);
    assert.deepEqual(res.body.username, ['This field is required.']);
  });

  it('refuses anonymous and bad tokens with 403 detail', async () => {
    const anonymous = await t.api('GET', '/core/users/', { token: null });
    assert.equal(anonymous.status, 403);
    assert.equal(typeof anonymous.body.detail, 'string');
    const bad = await t.api('GET', '/core/users/', { token: 'nope' });
    assert.equal(bad.status, 403);
    assert.equal(bad.body.detail, 'Token invalid/expired');
  });

  it('pages, searches and orders', async () => {
    for (const name of ['carol', 'dave', 'erin']) await t.api('POST', '/core/users/', { body: { username: `page-${name}`, name } });
    const page = await t.api('GET', '/core/users/?search=page-&ordering=-username&page_size=2');
    assert.equal(page.body.pagination.count, 3);
    assert.equal(page.body.pagination.total_pages, 2);
    assert.equal(page.body.pagination.next, 2);
    assert.deepEqual(page.body.results.map((u: { username: string }) => u.username), ['page-erin', 'page-dave']);
    const second = await t.api('GET', '/core/users/?search=page-&ordering=-username&page_size=2&page=2');
    assert.deepEqual(second.body.results.map((u: { username: string }) => u.username), ['page-carol']);
    assert.deepEqual(second.body.pagination, { next: 0, previous: 1, count: 3, current: 2, total_pages: 2, start_index: 3, end_index: 3 });
    // A page exactly full, and the empty page after it.
    const full = await t.api('GET', '/core/users/?search=page-&page_size=3');
    assert.deepEqual(full.body.pagination, { next: 0, previous: 0, count: 3, current: 1, total_pages: 1, start_index: 1, end_index: 3 });
    assert.equal((await t.api('GET', '/core/users/?search=page-&page_size=3&page=2')).status, 404);
    const none = await t.api('GET', '/core/users/?search=nobody-by-that-name');
    assert.deepEqual(none.body.pagination, { next: 0, previous: 0, count: 0, current: 1, total_pages: 1, start_index: 0, end_index: 0 });
    assert.equal((await t.api('GET', '/core/users/?page=9')).status, 404);
  });

  it('answers /me/ for the caller', async () => {
    const me = await t.api('GET', '/core/users/me/');
    assert.equal(me.status, 200);
    assert.equal(me.body.user.username, 'akadmin');
  });
});
