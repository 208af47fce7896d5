import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CoreApi, ResponseError } from '@goauthentik/api';
import { startTestApp, type TestApp } from '../support/app.js';
import { goauthentikConfiguration } from '../support/clients.js';

// authentik's own generated client: a second, independent reader of our answers (its models parse every field
// they know; the checking fetch holds the answers to the 2023.10 schema).
describe('contract: @goauthentik/api', () => {
  let t: TestApp;
  let core: CoreApi;
  before(async () => {
    t = await startTestApp();
    core = new CoreApi(goauthentikConfiguration(t.url));
  });
  after(() => t.close());

  it('creates, lists, updates and deletes users', async () => {
    for (const name of ['gx-amy', 'gx-ben', 'gx-cal']) {
      const created = await core.coreUsersCreate({ userRequest: { username: name, name, path: 'users/gx' } });
      assert.equal(created.username, name);
      assert.equal(typeof created.pk, 'number');
    }
    const page = await core.coreUsersList({ pathStartswith: 'users/gx', ordering: 'username', pageSize: 2, page: 2 });
    assert.equal(page.pagination.count, 3);
    assert.equal(page.pagination.previous, 1);
    assert.deepEqual(page.results.map((u) => u.username), ['gx-cal']);
    const amy = (await core.coreUsersList({ username: 'gx-amy' })).results[0];
    const patched = await core.coreUsersPartialUpdate({ id: amy.pk, patchedUserRequest: { name: 'Amy G', attributes: { a: 1 } } });
    assert.equal(patched.name, 'Amy G');
    assert.deepEqual(patched.attributes, { a: 1 });
    await core.coreUsersDestroy({ id: amy.pk });
    await assert.rejects(core.coreUsersRetrieve({ id: amy.pk }), (error: unknown) => error instanceof ResponseError && error.response.status === 404);
  });

  it('creates service accounts and sets passwords', async () => {
    const account = await core.coreUsersServiceAccountCreate({ userServiceAccountRequest: { name: 'gx-robot', createGroup: true } });
    assert.equal(account.username, 'gx-robot');
    assert.ok(account.token.length > 20);
    const robot = await core.coreUsersRetrieve({ id: account.userPk });
    assert.equal(robot.type, 'service_account');
    assert.equal(robot.path, 'goauthentik.io/service-accounts');
    await core.coreUsersSetPasswordCreate({ id: account.userPk, userPasswordSetRequest: { password: 'a-new-password' } });
  });

  it('manages groups and membership', async () => {
    const user = await core.coreUsersCreate({ userRequest: { username: 'gx-member', name: 'Member' } });
    const group = await core.coreGroupsCreate({ groupRequest: { name: 'gx-group', attributes: { level: 2 } } });
    await core.coreGroupsAddUserCreate({ groupUuid: group.pk, userAccountRequest: { pk: user.pk } });
    const withMember = await core.coreGroupsRetrieve({ groupUuid: group.pk });
    assert.deepEqual(withMember.users, [user.pk]);
    assert.equal(withMember.usersObj?.[0].username, 'gx-member');
    const filtered = await core.coreGroupsList({ membersByPk: [user.pk] });
    assert.deepEqual(filtered.results.map((g) => g.name), ['gx-group']);
    await core.coreGroupsRemoveUserCreate({ groupUuid: group.pk, userAccountRequest: { pk: user.pk } });
    assert.deepEqual((await core.coreGroupsRetrieve({ groupUuid: group.pk })).users, []);
    await core.coreGroupsDestroy({ groupUuid: group.pk });
  });

  it('reports validation errors the client can read', async () => {
    await core.coreGroupsCreate({ groupRequest: { name: 'gx-dup' } });
    const error = await core.coreGroupsCreate({ groupRequest: { name: 'gx-dup' } }).then(() => undefined, (e: unknown) => e);
    assert.ok(error instanceof ResponseError);
    assert.equal(error.response.status, 400);
    const body = await error.response.json();
    assert.ok(Array.isArray(body.name) || Array.isArray(body.non_field_errors));
  });

  it('creates, lists, updates and deletes applications', async () => {
    for (const [slug, publisher] of [['gx-wiki', 'Wiki Inc'], ['gx-chat', 'Chat Co'], ['gx-mail', 'Wiki Inc']]) {
      const created = await core.coreApplicationsCreate({ applicationRequest: { name: slug.toUpperCase(), slug, metaPublisher: publisher, metaLaunchUrl: `https://${slug}.example.test/` } });
      assert.equal(created.slug, slug);
    }
    const page = await core.coreApplicationsList({ search: 'gx-', ordering: '-slug', pageSize: 2 });
    assert.equal(page.pagination.count, 3);
    assert.deepEqual(page.results.map((a) => a.slug), ['gx-wiki', 'gx-mail']);
    const byPublisher = await core.coreApplicationsList({ metaPublisher: 'Wiki Inc', ordering: 'slug' });
    assert.deepEqual(byPublisher.results.map((a) => a.slug), ['gx-mail', 'gx-wiki']);
    const updated = await core.coreApplicationsUpdate({ slug: 'gx-chat', applicationRequest: { name: 'Chat', slug: 'gx-chat', group: 'talk' } });
    assert.equal(updated.group, 'talk');
    const patched = await core.coreApplicationsPartialUpdate({ slug: 'gx-chat', patchedApplicationRequest: { metaDescription: 'Talk here' } });
    assert.equal(patched.metaDescription, 'Talk here');
    assert.equal(patched.group, 'talk');
    const access = await core.coreApplicationsCheckAccessRetrieve({ slug: 'gx-chat' });
    assert.equal(access.passing, true);
    await core.coreApplicationsDestroy({ slug: 'gx-chat' });
    await assert.rejects(core.coreApplicationsRetrieve({ slug: 'gx-chat' }), (error: unknown) => error instanceof ResponseError && error.response.status === 404);
  });

  it('creates, lists, updates and deletes tokens, and the key works', async () => {
    const user = await core.coreUsersCreate({ userRequest: { username: 'gx-token-owner', name: 'Owner' } });
    const created = await core.coreTokensCreate({ tokenRequest: { identifier: 'gx-api-token', intent: 'api', user: user.pk, expiring: false, description: 'for CI' } });
    assert.equal(created.identifier, 'gx-api-token');
    assert.equal(created.userObj?.username, 'gx-token-owner');
    const list = await core.coreTokensList({ userUsername: 'gx-token-owner' });
    assert.deepEqual(list.results.map((tk) => tk.identifier), ['gx-api-token']);
    const patched = await core.coreTokensPartialUpdate({ identifier: 'gx-api-token', patchedTokenRequest: { description: 'rotated' } });
    assert.equal(patched.description, 'rotated');
    const { key } = await core.coreTokensViewKeyRetrieve({ identifier: 'gx-api-token' });
    const asOwner = new CoreApi(goauthentikConfiguration(t.url, key));
    assert.equal((await asOwner.coreUsersMeRetrieve()).user.username, 'gx-token-owner');
    await core.coreTokensDestroy({ identifier: 'gx-api-token' });
    await assert.rejects(asOwner.coreUsersMeRetrieve(), (error: unknown) => error instanceof ResponseError && error.response.status === 403);
  });
});
