import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from './support/app.js';
import { createRecoveryKey } from '../src/core/recovery.js';
import { CSRF_COOKIE, CSRF_HEADER, SESSION_COOKIE } from '../src/core/sessions.js';

function cookiesOf(setCookie: string | string[] | number | undefined): Record<string, string> {
  const list = Array.isArray(setCookie) ? setCookie : setCookie ? [String(setCookie)] : [];
  return Object.fromEntries(list.map((c) => c.split(';')[0].split('=') as [string, string]));
}

describe('server', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp((config) => {
      config.body_limit = 64 * 1024;
    });
  });
  after(() => t.close());

  it('answers health checks', async () => {
    assert.equal((await t.inject({ method: 'GET', url: '/-/health/live/' })).statusCode, 204);
    assert.equal((await t.inject({ method: 'GET', url: '/-/health/ready/' })).statusCode, 204);
  });

  it("answers unknown paths with DRF's 404 and wrong methods with 405", async () => {
    const missing = await t.inject({ method: 'GET', url: '/api/v3/core/nothing-here/' });
    assert.equal(missing.statusCode, 404);
    assert.deepEqual(missing.json(), { detail: 'Not found.' });
    const wrongMethod = await t.api('DELETE', '/core/users/me/', { unchecked: true });
    assert.equal(wrongMethod.status, 405);
    assert.equal(typeof wrongMethod.body.detail, 'string');
  });

  it('rejects malformed JSON with a 400 that changes nothing', async () => {
    const before = (await t.api('GET', '/core/groups/')).body.pagination.count;
    const res = await t.api('POST', '/core/groups/', { payload: '{"name": "broken",', headers: { 'content-type': 'application/json' } });
    assert.equal(res.status, 400);
    assert.match(res.body.detail, /JSON parse error/);
    assert.equal((await t.api('GET', '/core/groups/')).body.pagination.count, before);
  });

  it('rejects a non-object body naming what it got', async () => {
    const res = await t.api('POST', '/core/groups/', { body: ['name'] });
    assert.equal(res.status, 400);
    assert.deepEqual(res.body.non_field_errors, ['Invalid data. Expected a dictionary, but got list.']);
  });

  it('refuses bodies over the limit with 413', async () => {
    const res = await t.api('POST', '/core/groups/', { body: { name: 'big', attributes: { blob: 'x'.repeat(70 * 1024) } } });
    assert.equal(res.status, 413);
    assert.equal((await t.api('GET', '/core/groups/?name=big')).body.pagination.count, 0);
  });

  it('ignores unknown fields as DRF does', async () => {
    const res = await t.api('POST', '/core/groups/', { body: { name: 'extra-fields', no_such_field: 1 } });
    assert.equal(res.status, 201);
    assert.equal('no_such_field' in res.body, false);
  });

  it('answers unknown ids with 404 and malformed ids without a server error', async () => {
    assert.equal((await t.api('GET', '/core/users/999999/')).status, 404);
    assert.equal((await t.api('GET', '/core/groups/00000000-0000-4000-8000-000000000000/')).status, 404);
    assert.equal((await t.api('GET', '/core/groups/not-a-uuid/', { unchecked: true })).status, 404);
    assert.equal((await t.api('GET', '/core/users/abc/', { unchecked: true })).status, 404);
  });

  it('logs in through a recovery link into a session that needs CSRF for writes', async () => {
    const path = await createRecoveryKey(t.services, 'akadmin', 1);
    const login = await t.inject({ method: 'GET', url: path });
    assert.equal(login.statusCode, 302);
    const cookies = cookiesOf(login.headers['set-cookie']);
    assert.ok(cookies[SESSION_COOKIE] && cookies[CSRF_COOKIE]);
    const cookie = `${SESSION_COOKIE}=${cookies[SESSION_COOKIE]}; ${CSRF_COOKIE}=${cookies[CSRF_COOKIE]}`;

    const me = await t.api('GET', '/core/users/me/', { token: null, headers: { cookie } });
    assert.equal(me.status, 200);
    assert.equal(me.body.user.username, 'akadmin');

    const withoutCsrf = await t.api('POST', '/core/groups/', { token: null, headers: { cookie }, body: { name: 'via-session' } });
    assert.equal(withoutCsrf.status, 403);
    assert.match(withoutCsrf.body.detail, /CSRF/);
    const wrongCsrf = await t.api('POST', '/core/groups/', { token: null, headers: { cookie, [CSRF_HEADER]: 'forged' }, body: { name: 'via-session' } });
    assert.equal(wrongCsrf.status, 403);
    const withCsrf = await t.api('POST', '/core/groups/', { token: null, headers: { cookie, [CSRF_HEADER]: cookies[CSRF_COOKIE] }, body: { name: 'via-session' } });
    assert.equal(withCsrf.status, 201);

    const reused = await t.inject({ method: 'GET', url: path });
    assert.equal(reused.statusCode, 404, 'a recovery link works once');
  });
});
