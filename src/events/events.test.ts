import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from '../../test/support/app.js';
import { users } from '../core/table.js';
import { CLEANSED } from './sanitize.js';
import { recordEvent } from './record.js';
import { events } from './table.js';

describe('events', () => {
  let t: TestApp;
  let alice: { id: number; username: string; email: string };
  let admin: { id: number; username: string; email: string };

  before(async () => {
    t = await startTestApp();
    [alice] = await t.services.db.insert(users).values({ username: 'alice-ev', email: 'alice@example.test' }).returning();
    [admin] = await t.services.db.insert(users).values({ username: 'root-ev', email: 'root@example.test' }).returning();
  });
  after(() => t.close());

  it('records who, from where, with the request and the tenant, masking secrets', async () => {
    const row = await recordEvent(t.services, {
      action: 'login', app: 'authentik.stages.user_login', user: alice,
      request: { ip: '192.0.2.10', userAgent: 'curl/8', host: 'auth.example.test', path: '/api/v3/flows/executor/x/', method: 'POST', query: { next: '/' } },
      context: { auth_method: 'password', password: 'hunter2', nested: { api_key: 'k', passing: true }, when: new Date(0) },
    });
    assert.deepEqual(row.user, { pk: alice.id, username: 'alice-ev', email: 'alice@example.test' });
    assert.equal(row.clientIp, '192.0.2.10');
    assert.equal(row.context.password, CLEANSED);
    assert.deepEqual(row.context.nested, { api_key: CLEANSED, passing: true });
    assert.equal(row.context.when, '1970-01-01T00:00:00.000Z');
    assert.deepEqual(row.context.http_request, { path: '/api/v3/flows/executor/x/', method: 'POST', args: { next: '/' }, user_agent: 'curl/8' });
    assert.equal(row.tenant.app, 'authentik_tenants');
    const days = (row.expires.getTime() - row.created.getTime()) / 86400_000;
    assert.ok(days > 364 && days < 366, `expires after the default retention, got ${days} days`);
  });

  it('records the impersonator with on_behalf_of, and anonymous users', async () => {
    const row = await recordEvent(t.services, { action: 'impersonation_started', user: alice, impersonator: admin });
    assert.deepEqual(row.user, { pk: admin.id, username: 'root-ev', email: 'root@example.test', on_behalf_of: { pk: alice.id, username: 'alice-ev', email: 'alice@example.test' } });
    const anonymous = await recordEvent(t.services, { action: 'login_failed', context: { username: 'nobody' } });
    assert.equal(anonymous.user.username, 'AnonymousUser');
  });

  it('lists with authentik\'s filters, newest first, and retrieves', async () => {
    await recordEvent(t.services, {
      action: 'model_created', app: 'authentik.core', user: admin,
      context: { model: { app: 'authentik_core', model_name: 'group', pk: 'g1', name: 'staff' } },
    });
    const all = await t.api('GET', '/events/events/');
    assert.equal(all.status, 200);
    const created = all.body.results.map((e: { created: string }) => e.created);
    assert.deepEqual(created, [...created].sort().reverse());
    const byUser = await t.api('GET', '/events/events/?username=alice-ev');
    assert.ok(byUser.body.results.length >= 1);
    assert.ok(byUser.body.results.every((e: { user: { username: string } }) => e.user.username === 'alice-ev'));
    const byAction = await t.api('GET', '/events/events/?action=model_cre');
    assert.deepEqual(byAction.body.results.map((e: { action: string }) => e.action), ['model_created']);
    assert.equal((await t.api('GET', '/events/events/?context_model_app=authentik_core&context_model_name=group')).body.results.length, 1);
    assert.equal((await t.api('GET', '/events/events/?context_model_pk=nope')).body.results.length, 0);
    const searched = await t.api('GET', '/events/events/?search=staff');
    assert.equal(searched.body.results.length, 1);
    const one = await t.api('GET', `/events/events/${searched.body.results[0].pk}/`);
    assert.equal(one.body.app, 'authentik.core');
    assert.equal((await t.api('GET', '/events/events/?client_ip=192.0.2.10')).body.results.length, 1);
  });

  it('creates and deletes events over the API', async () => {
    const created = await t.api('POST', '/events/events/', { body: { action: 'configuration_error', app: 'tests', context: { a: 1 } } });
    assert.equal(created.status, 201);
    assert.equal(created.body.action, 'configuration_error');
    assert.ok(created.body.expires);
    const bad = await t.api('POST', '/events/events/', { body: { action: 'nope', app: 'tests' } });
    assert.equal(bad.status, 400);
    assert.equal((await t.api('DELETE', `/events/events/${created.body.pk}/`)).status, 204);
  });

  it('lists the actions', async () => {
    const res = await t.api('GET', '/events/events/actions/');
    assert.equal(res.status, 200);
    assert.deepEqual(res.body[0], { name: 'Login', description: '', component: 'login', model_name: '' });
    assert.ok(res.body.some((a: { component: string }) => a.component === 'policy_execution'));
  });

  it('counts authorizations per application and user', async () => {
    const application = { pk: 'app1', app: 'authentik_core', model_name: 'application', name: 'Wiki' };
    for (const user of [alice, alice, admin]) {
      await recordEvent(t.services, { action: 'authorize_application', user, context: { authorized_application: application } });
    }
    const res = await t.api('GET', '/events/events/top_per_user/?action=authorize_application&top_n=5');
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, [{ application, counted_events: 3, unique_users: 2 }]);
  });

  it('charts logins per day over the month and the week', async () => {
    const tenDaysAgo = new Date(Date.now() - 10 * 86400_000 - 3600_000);
    await t.services.db.insert(events).values({ action: 'login', app: 'authentik.stages.user_login', user: { pk: alice.id, username: 'alice-ev' }, created: tenDaysAgo, expires: new Date(Date.now() + 86400_000) });
    const month = await t.api('GET', '/events/events/per_month/?action=login');
    assert.equal(month.status, 200);
    assert.equal(month.body.length, 31);
    assert.equal(month.body[1].y_cord, 1, 'today');
    assert.equal(month.body[11].y_cord, 1, 'ten days ago');
    assert.ok(month.body[0].x_cord > month.body[1].x_cord);
    const mine = await t.api('GET', `/events/events/per_month/?action=login&query=${encodeURIComponent(JSON.stringify({ user__pk: admin.id }))}`);
    assert.equal(mine.body.reduce((sum: number, c: { y_cord: number }) => sum + c.y_cord, 0), 0);
    const bad = await t.api('GET', '/events/events/per_month/?query=notjson', { unchecked: true });
    assert.equal(bad.status, 400);
    const week = await t.api('GET', '/events/events/volume/?action=login');
    assert.equal(week.body.length, 22);
    // `volume` filters as the list does, where `action` is a substring: today's login and login_failed, not the old login.
    assert.deepEqual(week.body.map((c: { y_cord: number }) => c.y_cord).filter(Boolean), [2]);
    assert.equal(week.body[1].y_cord, 2);
  });
});
