import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from '../../../test/support/app.js';
import { createUserWithToken, type TestUser } from '../tokens/testing.js';
import { userConsents } from '../table.js';

describe('core/user_consent', () => {
  let t: TestApp;
  let alice: TestUser;
  let bob: TestUser;
  const ids: Record<string, number> = {};
  before(async () => {
    t = await startTestApp();
    alice = await createUserWithToken(t, 'alice');
    bob = await createUserWithToken(t, 'bob');
    const wiki = await t.api('POST', '/core/applications/', { body: { name: 'Wiki', slug: 'wiki' } });
    const mail = await t.api('POST', '/core/applications/', { body: { name: 'Mail', slug: 'mail' } });
    const rows = await t.services.db.insert(userConsents).values([
      { userId: alice.pk, applicationId: wiki.body.pk, permissions: 'openid profile', expiring: false },
      { userId: alice.pk, applicationId: mail.body.pk },
      { userId: bob.pk, applicationId: wiki.body.pk },
    ]).returning();
    ids.aliceWiki = rows[0].id;
    ids.aliceMail = rows[1].id;
    ids.bobWiki = rows[2].id;
  });
  after(() => t.close());

  it('shows a user their own consents with user and application', async () => {
    const res = await t.api('GET', '/core/user_consent/', { token: alice.token });
    assert.equal(res.status, 200);
    assert.equal(res.body.pagination.count, 2);
    const wiki = res.body.results.find((c: { pk: number }) => c.pk === ids.aliceWiki);
    assert.equal(wiki.user.username, 'alice');
    assert.equal(wiki.application.slug, 'wiki');
    assert.equal(wiki.permissions, 'openid profile');
    assert.equal((await t.api('GET', `/core/user_consent/${ids.bobWiki}/`, { token: alice.token })).status, 404);
    assert.equal((await t.api('DELETE', `/core/user_consent/${ids.bobWiki}/`, { token: alice.token })).status, 404);
  });

  it('lets superusers see, filter and search every consent', async () => {
    assert.equal((await t.api('GET', '/core/user_consent/')).body.pagination.count, 3);
    assert.equal((await t.api('GET', `/core/user_consent/?user=${bob.pk}`)).body.pagination.count, 1);
    const wikiPk = (await t.api('GET', '/core/applications/wiki/')).body.pk;
    assert.equal((await t.api('GET', `/core/user_consent/?application=${wikiPk}`)).body.pagination.count, 2);
    assert.equal((await t.api('GET', '/core/user_consent/?search=bob')).body.pagination.count, 1);
    assert.equal((await t.api('GET', '/core/user_consent/?user=abc')).status, 400);
    assert.deepEqual((await t.api('GET', `/core/user_consent/${ids.bobWiki}/used_by/`)).body, []);
  });

  it('lets a user withdraw consent, and goes with its application', async () => {
    assert.equal((await t.api('DELETE', `/core/user_consent/${ids.aliceMail}/`, { token: alice.token })).status, 204);
    assert.equal((await t.api('GET', `/core/user_consent/${ids.aliceMail}/`)).status, 404);
    const used = await t.api('GET', '/core/applications/wiki/used_by/');
    assert.deepEqual(used.body.map((u: { model_name: string; action: string }) => [u.model_name, u.action]), [['userconsent', 'CASCADE'], ['userconsent', 'CASCADE']]);
    assert.equal((await t.api('DELETE', '/core/applications/wiki/')).status, 204);
    assert.equal((await t.api('GET', '/core/user_consent/')).body.pagination.count, 0);
    assert.equal((await t.api('PUT', `/core/user_consent/${ids.aliceWiki}/`, { body: {}, unchecked: true })).status, 405);
  });
});
