import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { eq } from 'drizzle-orm';
import { startTestApp, type TestApp } from '../../../test/support/app.js';
import { createUserWithToken, type TestUser } from '../tokens/testing.js';
import { createSessionStore, SESSION_COOKIE } from '../sessions.js';
import { authenticatedSessions, sessions } from '../table.js';
import { parseUserAgent } from './user-agent.js';

const FIREFOX = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:119.0) Gecko/20100101 Firefox/119.0';
const IPHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_1_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1';

describe('core/authenticated_sessions', () => {
  let t: TestApp;
  let alice: TestUser;
  let bob: TestUser;
  const logIn = async (user: TestUser, userAgent: string, ip: string) => {
    const session = await createSessionStore(t.services.db).create({ user_id: user.pk });
    const [row] = await t.services.db.insert(authenticatedSessions).values({
      sessionKey: session.key, userId: user.pk, lastIp: ip, lastUserAgent: userAgent, expires: session.expires,
    }).returning();
    return { key: session.key, uuid: row.uuid };
  };
  before(async () => {
    t = await startTestApp();
    alice = await createUserWithToken(t, 'alice');
    bob = await createUserWithToken(t, 'bob');
  });
  after(() => t.close());

  it('parses user agents into authentik\'s shape', () => {
    const firefox = parseUserAgent(FIREFOX);
    assert.deepEqual(firefox.user_agent, { family: 'Firefox', major: '119', minor: '0', patch: '0' });
    assert.equal(firefox.os.family, 'Mac OS X');
    assert.equal(firefox.os.major, '10');
    assert.equal(firefox.string, FIREFOX);
    const iphone = parseUserAgent(IPHONE);
    assert.deepEqual(iphone.device, { brand: 'Apple', family: 'iPhone', model: 'iPhone' });
    assert.equal(iphone.os.family, 'iOS');
    assert.equal(parseUserAgent('').user_agent.family, 'Other');
  });

  it('shows a user their own sessions, marking the one they use, and superusers all', async () => {
    const mine = await logIn(alice, FIREFOX, '192.0.2.1');
    await logIn(alice, IPHONE, '192.0.2.2');
    await logIn(bob, FIREFOX, '198.51.100.7');
    const viaSession = await t.api('GET', '/core/authenticated_sessions/', { token: null, headers: { cookie: `${SESSION_COOKIE}=${mine.key}` } });
    assert.equal(viaSession.status, 200);
    assert.equal(viaSession.body.pagination.count, 2);
    const current = viaSession.body.results.filter((s: { current: boolean }) => s.current);
    assert.deepEqual(current.map((s: { uuid: string }) => s.uuid), [mine.uuid]);
    assert.equal(current[0].user_agent.user_agent.family, 'Firefox');
    assert.equal(current[0].geo_ip, null);
    assert.equal(current[0].asn, null);
    assert.equal(current[0].user, alice.pk);
    const viaToken = await t.api('GET', '/core/authenticated_sessions/', { token: alice.token });
    assert.ok(viaToken.body.results.every((s: { current: boolean; user: number }) => !s.current && s.user === alice.pk));
    const all = await t.api('GET', '/core/authenticated_sessions/?ordering=-user__username');
    assert.equal(all.body.pagination.count, 3);
    assert.equal(all.body.results[0].user, bob.pk);
    const filtered = await t.api('GET', '/core/authenticated_sessions/?user__username=alice&last_ip=192.0.2.2');
    assert.equal(filtered.body.pagination.count, 1);
    const searched = await t.api('GET', '/core/authenticated_sessions/?search=198.51');
    assert.equal(searched.body.pagination.count, 1);
  });

  it('keeps other users\' sessions out of reach', async () => {
    const bobs = (await t.api('GET', '/core/authenticated_sessions/?user__username=bob')).body.results[0];
    assert.equal((await t.api('GET', `/core/authenticated_sessions/${bobs.uuid}/`, { token: alice.token })).status, 404);
    assert.equal((await t.api('DELETE', `/core/authenticated_sessions/${bobs.uuid}/`, { token: alice.token })).status, 404);
    assert.equal((await t.api('POST', '/core/authenticated_sessions/', { token: alice.token, body: {}, unchecked: true })).status, 405);
    assert.equal((await t.api('PATCH', `/core/authenticated_sessions/${bobs.uuid}/`, { body: {}, unchecked: true })).status, 405);
    assert.deepEqual((await t.api('GET', `/core/authenticated_sessions/${bobs.uuid}/used_by/`)).body, []);
  });

  it('ends the server session when one is deleted', async () => {
    const session = await logIn(alice, IPHONE, '203.0.113.9');
    const cookie = { cookie: `${SESSION_COOKIE}=${session.key}` };
    assert.equal((await t.api('GET', '/core/users/me/', { token: null, headers: cookie })).status, 200);
    assert.equal((await t.api('DELETE', `/core/authenticated_sessions/${session.uuid}/`, { token: alice.token })).status, 204);
    assert.equal((await t.services.db.select().from(sessions).where(eq(sessions.sessionKey, session.key))).length, 0);
    assert.equal((await t.api('GET', `/core/authenticated_sessions/${session.uuid}/`)).status, 404);
    assert.equal((await t.api('GET', '/core/users/me/', { token: null, headers: cookie })).status, 403);
  });
});
