import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { and, eq } from 'drizzle-orm';
import { startTestApp, type TestApp } from '../../../test/support/app.js';
import { events } from '../../events/table.js';
import { tokens } from '../table.js';
import { createUserWithToken, type TestUser } from './testing.js';

describe('core/tokens', () => {
  let t: TestApp;
  let alice: TestUser;
  let bob: TestUser;
  before(async () => {
    t = await startTestApp();
    alice = await createUserWithToken(t, 'alice');
    bob = await createUserWithToken(t, 'bob', { 'goauthentik.io/user/token-expires': false });
  });
  after(() => t.close());

  it('creates an API token for the caller by default, expiring in thirty minutes, without showing its key', async () => {
    const before = Date.now();
    const res = await t.api('POST', '/core/tokens/', { body: { identifier: 'admin-cli', description: 'for the CLI' } });
    assert.equal(res.status, 201);
    assert.equal(res.body.intent, 'api');
    assert.equal(res.body.user_obj.username, 'akadmin');
    assert.equal(res.body.expiring, true);
    assert.equal('key' in res.body, false);
    const expires = new Date(res.body.expires).getTime();
    assert.ok(expires >= before + 29 * 60_000 && expires <= Date.now() + 31 * 60_000, res.body.expires);
    const listed = await t.api('GET', '/core/tokens/?identifier=admin-cli');
    assert.equal(listed.body.pagination.count, 1);
    assert.equal('key' in listed.body.results[0], false);
    assert.equal('key' in (await t.api('GET', '/core/tokens/admin-cli/')).body, false);
  });

  it('shows the key through view_key and records that it was seen', async () => {
    const res = await t.api('GET', '/core/tokens/admin-cli/view_key/');
    assert.equal(res.status, 200);
    assert.equal(typeof res.body.key, 'string');
    assert.equal(res.body.key.length, t.config.default_token_length);
    const seen = await t.services.db.select().from(events).where(eq(events.action, 'secret_view'));
    assert.ok(seen.some((e) => (e.context.secret as { name?: string })?.name?.startsWith('Token admin-cli ')));
    // The key authenticates as its owner.
    const me = await t.api('GET', '/core/users/me/', { token: res.body.key });
    assert.equal(me.body.user.username, 'akadmin');
  });

  it('refuses intents other than api and app_password, and bad identifiers', async () => {
    const bad = await t.api('POST', '/core/tokens/', { body: { identifier: 'sneaky', intent: 'recovery' } });
    assert.equal(bad.status, 400);
    assert.deepEqual(bad.body, { intent: ['Invalid intent recovery'] });
    const slug = await t.api('POST', '/core/tokens/', { body: { identifier: 'has spaces' } });
    assert.equal(slug.status, 400);
    assert.ok(slug.body.identifier);
    const dup = await t.api('POST', '/core/tokens/', { body: { identifier: 'admin-cli' } });
    assert.equal(dup.status, 400);
    assert.deepEqual(dup.body, { identifier: ['Token with this identifier already exists.'] });
    const noUser = await t.api('POST', '/core/tokens/', { body: { identifier: 'ghost', user: 999999 } });
    assert.equal(noUser.status, 400);
    assert.ok(noUser.body.user);
  });

  it('lets a superuser make app passwords for others with their own expiry', async () => {
    const expires = new Date(Date.now() + 7 * 86400_000).toISOString();
    const res = await t.api('POST', '/core/tokens/', { body: { identifier: 'alice-app', user: alice.pk, intent: 'app_password', expires } });
    assert.equal(res.status, 201);
    assert.equal(res.body.user, alice.pk);
    assert.equal(res.body.intent, 'app_password');
    assert.equal(new Date(res.body.expires).toISOString(), expires);
  });

  it('shows a user only their own tokens and lets them manage those', async () => {
    const list = await t.api('GET', '/core/tokens/', { token: alice.token });
    assert.equal(list.status, 200);
    assert.deepEqual(list.body.results.map((r: { identifier: string }) => r.identifier).sort(), ['alice-api-token', 'alice-app']);
    assert.equal((await t.api('GET', '/core/tokens/admin-cli/', { token: alice.token })).status, 404);
    // The schema declares view_key's 404 without a body; authentik's (DRF's) 404 carries `{detail}` all the same.
    const hidden = await t.api('GET', '/core/tokens/admin-cli/view_key/', { token: alice.token, unchecked: true });
    assert.deepEqual([hidden.status, hidden.body], [404, { detail: 'Not found.' }]);
    assert.equal((await t.api('DELETE', '/core/tokens/bob-api-token/', { token: alice.token })).status, 404);
    assert.equal((await t.api('PATCH', '/core/tokens/bob-api-token/', { token: alice.token, body: { description: 'mine' } })).status, 404);
    const own = await t.api('GET', '/core/tokens/alice-app/view_key/', { token: alice.token });
    assert.equal(own.status, 200);
    const patched = await t.api('PATCH', '/core/tokens/alice-app/', { token: alice.token, body: { description: 'laptop' } });
    assert.equal(patched.status, 200);
    assert.equal(patched.body.description, 'laptop');
    assert.equal((await t.api('DELETE', '/core/tokens/alice-app/', { token: alice.token })).status, 204);
  });

  it('makes a non-superuser\'s tokens their own, expiring as their attribute says', async () => {
    const forOther = await t.api('POST', '/core/tokens/', { token: alice.token, body: { identifier: 'alice-for-bob', user: bob.pk, expiring: false } });
    assert.equal(forOther.status, 201);
    assert.equal(forOther.body.user, alice.pk);
    assert.equal(forOther.body.expiring, true);
    const bobs = await t.api('POST', '/core/tokens/', { token: bob.token, body: { identifier: 'bob-forever' } });
    assert.equal(bobs.status, 201);
    assert.equal(bobs.body.expiring, false);
    const moved = await t.api('PATCH', '/core/tokens/alice-for-bob/', { token: alice.token, body: { user: bob.pk } });
    assert.equal(moved.status, 200);
    assert.equal(moved.body.user, alice.pk);
    const managed = await t.api('POST', '/core/tokens/', { token: alice.token, body: { identifier: 'alice-managed', managed: 'goauthentik.io/outpost/x' } });
    assert.equal(managed.status, 400);
    assert.ok(managed.body.managed);
  });

  it('sets keys for superusers only, and answers a missing key with 400', async () => {
    assert.equal((await t.api('POST', '/core/tokens/alice-api-token/set_key/', { token: alice.token, body: { key: 'chosen-by-alice' } })).status, 403);
    const missing = await t.api('POST', '/core/tokens/alice-api-token/set_key/', { body: {} });
    assert.equal(missing.status, 400);
    const set = await t.api('POST', '/core/tokens/alice-for-bob/set_key/', { body: { key: 'chosen-by-admin-0123456789' } });
    assert.equal(set.status, 204);
    const [row] = await t.services.db.select().from(tokens).where(and(eq(tokens.identifier, 'alice-for-bob')));
    assert.equal(row.key, 'chosen-by-admin-0123456789');
  });

  it('filters, searches and orders', async () => {
    const byUser = await t.api('GET', '/core/tokens/?user__username=bob&ordering=-identifier');
    assert.deepEqual(byUser.body.results.map((r: { identifier: string }) => r.identifier), ['bob-forever', 'bob-api-token']);
    const searched = await t.api('GET', '/core/tokens/?search=bob');
    assert.ok(searched.body.results.length >= 2);
    const intents = await t.api('GET', '/core/tokens/?intent=app_password');
    assert.ok(intents.body.results.every((r: { intent: string }) => r.intent === 'app_password'));
    assert.equal((await t.api('GET', '/core/tokens/?expiring=perhaps')).status, 400);
  });

  it('lists what uses a token and refuses anonymous callers', async () => {
    const used = await t.api('GET', '/core/tokens/admin-cli/used_by/');
    assert.equal(used.status, 200);
    assert.deepEqual(used.body, []);
    assert.equal((await t.api('GET', '/core/tokens/', { token: null })).status, 403);
  });
});
