import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { machine } from 'node:os';
import { eq } from 'drizzle-orm';
import { startTestApp, type TestApp } from '../../test/support/app.js';
import { tenants, tokens } from '../core/table.js';
import { recordEvent } from '../events/record.js';
import { events } from '../events/table.js';
import { systemTasks } from './table.js';
import { defineSystemTask, recordTaskResult } from './tasks.js';

const USER_TOKEN = 'admin-test-plain-user-token-0123456789';
const SPAN_MS = 8 * 3600_000;

let runs: unknown[][] = [];
const syncTask = defineSystemTask<[string]>({
  name: 'admin_test_sync',
  description: 'Sync something for the admin tests',
  prefill: true,
  async run(_services, source) {
    runs.push([source]);
    if (source === 'broken') throw new Error('source unreachable');
    return { status: 'WARNING', messages: [`synced ${source}`], uid: source };
  },
});

describe('admin', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp((config) => {
      config.build_hash = 'abc123';
    });
    const user = await t.api('POST', '/core/users/', { body: { username: 'plain', name: 'Plain User' } });
    await t.services.db.insert(tokens).values({ identifier: 'plain-api', key: USER_TOKEN, intent: 'api', userId: user.body.pk, expiring: false });
  });
  after(() => t.close());

  describe('version', () => {
    it('reports the package version, the build hash and no update', async () => {
      const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
      const res = await t.api('GET', '/admin/version/');
      assert.equal(res.status, 200);
      assert.deepEqual(res.body, { version_current: pkg.version, version_latest: pkg.version, build_hash: 'abc123', outdated: false });
    });

    it('is open to any authenticated user, not to anonymous callers', async () => {
      assert.equal((await t.api('GET', '/admin/version/', { token: USER_TOKEN })).status, 200);
      const anonymous = await t.api('GET', '/admin/version/', { token: null });
      assert.equal(anonymous.status, 403);
      assert.equal(anonymous.body.detail, 'Authentication credentials were not provided.');
    });
  });

  describe('system', () => {
    it('shows the request, the runtime, the tenant and the server time', async () => {
      const before = Date.now();
      const res = await t.api('GET', '/admin/system/?x=1', { headers: { 'x-custom-header': 'hello', host: 'auth.example.test:9000' } });
      assert.equal(res.status, 200);
      assert.equal(res.body.http_headers.HTTP_X_CUSTOM_HEADER, 'hello');
      assert.equal(res.body.http_headers.HTTP_HOST, 'auth.example.test:9000');
      assert.equal(res.body.http_headers.REQUEST_METHOD, 'GET');
      assert.equal(res.body.http_headers.PATH_INFO, '/api/v3/admin/system/');
      assert.equal(res.body.http_headers.QUERY_STRING, 'x=1');
      assert.equal(res.body.http_host, 'auth.example.test:9000');
      assert.equal(res.body.http_is_secure, false);
      assert.equal(res.body.runtime.python_version, process.version);
      assert.equal(res.body.runtime.gunicorn_version, t.app.version);
      assert.equal(res.body.runtime.architecture, machine());
      assert.match(res.body.runtime.uname, /^Linux /);
      assert.equal(res.body.tenant, 'Default tenant');
      assert.ok(Date.parse(res.body.server_time) >= before - 1000);
      assert.equal(res.body.embedded_outpost_host, '');
    });

    it('answers POST alike and reports https behind a trusted proxy', async () => {
      const res = await t.api('POST', '/admin/system/', { headers: { 'x-forwarded-proto': 'https' } });
      assert.equal(res.status, 200);
      assert.equal(res.body.http_is_secure, true);
    });

    it('names the tenant whose domain ends the host', async () => {
      await t.services.db.insert(tenants).values({ domain: 'example.test' });
      const res = await t.api('GET', '/admin/system/', { headers: { host: 'auth.example.test' } });
      assert.equal(res.body.tenant, 'Tenant example.test');
      await t.services.db.delete(tenants).where(eq(tenants.domain, 'example.test'));
    });

    it('masks the session cookie', async () => {
      const res = await t.api('GET', '/admin/system/', { headers: { cookie: 'authentik_session=secretsessionvalue; other=1' } });
      assert.equal(res.body.http_headers.HTTP_COOKIE, 'authentik_session=********************; other=1');
    });

    it('is for superusers only, and refuses other methods with 405', async () => {
      const res = await t.api('GET', '/admin/system/', { token: USER_TOKEN });
      assert.equal(res.status, 403);
      assert.equal(res.body.detail, 'You do not have permission to perform this action.');
      assert.equal((await t.api('POST', '/admin/system/', { token: USER_TOKEN })).status, 403);
      const put = await t.inject({ method: 'PUT', url: '/api/v3/admin/system/', headers: { authorization: 'Bearer test-bootstrap-token-0123456789' } });
      assert.equal(put.statusCode, 405);
      assert.equal(put.json().detail, 'Method "PUT" not allowed.');
    });
  });

  describe('apps and models', () => {
    it('lists installed apps by name with authentik labels', async () => {
      const res = await t.api('GET', '/admin/apps/');
      assert.equal(res.status, 200);
      const names = res.body.map((app: { name: string }) => app.name);
      assert.deepEqual(names, [...names].sort());
      assert.deepEqual(res.body.find((app: { name: string }) => app.name === 'authentik.core'), { name: 'authentik.core', label: 'authentik Core' });
      assert.ok(names.includes('authentik.admin'));
      assert.ok(names.includes('authentik.policies.dummy'));
      assert.ok(!names.includes('authentik.enterprise'));
    });

    it('lists registered models with their verbose names', async () => {
      const res = await t.api('GET', '/admin/models/', { token: USER_TOKEN });
      assert.equal(res.status, 200);
      const names = res.body.map((model: { name: string }) => model.name);
      assert.ok(names.includes('authentik_core.user'));
      assert.deepEqual(res.body.find((model: { name: string }) => model.name === 'authentik_core.group'), { name: 'authentik_core.group', label: 'Group' });
      // authentik's order: policies before blueprints before core.
      assert.ok(names.indexOf('authentik_policies_dummy.dummypolicy') < names.indexOf('authentik_core.user'));
      assert.equal((await t.api('GET', '/admin/apps/', { token: null })).status, 403);
    });
  });

  describe('workers', () => {
    it('counts this process as the one worker, for superusers', async () => {
      assert.deepEqual((await t.api('GET', '/admin/workers/')).body, { count: 1 });
      assert.equal((await t.api('GET', '/admin/workers/', { token: USER_TOKEN })).status, 403);
    });
  });

  describe('metrics', () => {
    it('counts logins, failed logins and authorizations per 8 hours over 7 days', async () => {
      const empty = await t.api('GET', '/admin/metrics/');
      assert.equal(empty.status, 200);
      for (const series of ['logins', 'logins_failed', 'authorizations']) {
        assert.equal(empty.body[series].length, 21);
        assert.ok(empty.body[series].every((point: { y_cord: number }) => point.y_cord === 0));
      }
      assert.equal(empty.body.logins[0].x_cord - empty.body.logins[1].x_cord, SPAN_MS);

      await recordEvent(t.services, { action: 'login', user: { id: 1, username: 'akadmin' } });
      await recordEvent(t.services, { action: 'login', user: { id: 1, username: 'akadmin' } });
      await recordEvent(t.services, { action: 'login_failed', user: null });
      const old = await recordEvent(t.services, { action: 'authorize_application', user: { id: 1, username: 'akadmin' } });
      await t.services.db.update(events).set({ created: new Date(Date.now() - SPAN_MS - 60_000) }).where(eq(events.eventUuid, old.eventUuid));
      const ancient = await recordEvent(t.services, { action: 'login', user: { id: 1, username: 'akadmin' } });
      await t.services.db.update(events).set({ created: new Date(Date.now() - 8 * 86400_000) }).where(eq(events.eventUuid, ancient.eventUuid));

      const res = await t.api('GET', '/admin/metrics/');
      const total = (series: { y_cord: number }[]) => series.reduce((sum, point) => sum + point.y_cord, 0);
      assert.equal(res.body.logins[0].y_cord, 2);
      assert.equal(total(res.body.logins), 2);
      assert.equal(res.body.logins_failed[0].y_cord, 1);
      assert.equal(res.body.authorizations[0].y_cord, 0);
      assert.equal(res.body.authorizations[1].y_cord, 1);
    });

    it('counts no events a plain user may not view', async () => {
      const res = await t.api('GET', '/admin/metrics/', { token: USER_TOKEN });
      assert.equal(res.status, 200);
      assert.equal(res.body.logins.length, 21);
      assert.ok(res.body.logins.every((point: { y_cord: number }) => point.y_cord === 0));
    });
  });

  describe('system tasks', () => {
    it('shows a prefilled task as not run yet', async () => {
      const res = await t.api('GET', '/admin/system_tasks/admin_test_sync/');
      assert.equal(res.status, 200);
      assert.equal(res.body.status, 'UNKNOWN');
      assert.deepEqual(res.body.messages, ['Task has not been run yet.']);
      assert.equal(res.body.task_description, 'Sync something for the admin tests');
    });

    it('lists recorded results sorted by name, with uid-qualified names', async () => {
      const started = new Date(Date.now() - 3_400);
      await recordTaskResult(t.services.db, { name: 'zz_cleanup', status: 'SUCCESSFUL', messages: ['done'], started, finished: new Date(), description: 'Clean up' });
      await syncTask(t.services, 'ldap-main');
      const list = await t.api('GET', '/admin/system_tasks/');
      assert.equal(list.status, 200);
      const names = list.body.map((task: { task_name: string }) => task.task_name);
      assert.deepEqual(names, [...names].sort());
      assert.ok(names.includes('admin_test_sync:ldap-main'));
      const cleanup = list.body.find((task: { task_name: string }) => task.task_name === 'zz_cleanup');
      assert.equal(cleanup.task_duration, 3);
      assert.equal(cleanup.status, 'SUCCESSFUL');
      const sync = await t.api('GET', '/admin/system_tasks/admin_test_sync:ldap-main/');
      assert.equal(sync.body.status, 'WARNING');
      assert.deepEqual(sync.body.messages, ['synced ldap-main']);
    });

    it('records a failing run as an error and an event', async () => {
      await syncTask(t.services, 'broken');
      const res = await t.api('GET', '/admin/system_tasks/admin_test_sync/');
      assert.equal(res.body.status, 'ERROR');
      assert.deepEqual(res.body.messages, ['source unreachable']);
      const [event] = await t.services.db.select().from(events).where(eq(events.action, 'system_task_exception'));
      assert.equal(event.context.message, 'Task admin_test_sync encountered an error: source unreachable');
    });

    it('hides expired results', async () => {
      await recordTaskResult(t.services.db, { name: 'expired_task', status: 'SUCCESSFUL', started: new Date(), finished: new Date() });
      await t.services.db.update(systemTasks).set({ expires: new Date(Date.now() - 1000) }).where(eq(systemTasks.name, 'expired_task'));
      assert.equal((await t.api('GET', '/admin/system_tasks/expired_task/')).status, 404);
      const list = await t.api('GET', '/admin/system_tasks/');
      assert.ok(!list.body.some((task: { task_name: string }) => task.task_name === 'expired_task'));
    });

    it('retries a task with the arguments of its run', async () => {
      runs = [];
      const path = '/admin/system_tasks/admin_test_sync:ldap-main/';
      const before = (await t.api('GET', path)).body.task_finish_timestamp;
      const res = await t.api('POST', `${path}retry/`);
      assert.equal(res.status, 204);
      let finished = before;
      for (let i = 0; i < 100 && finished === before; i++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        finished = (await t.api('GET', path)).body.task_finish_timestamp;
      }
      assert.notEqual(finished, before);
      assert.deepEqual(runs, [['ldap-main']]);
    });

    it('answers 404 for unknown tasks and 500 for tasks nobody declares any more', async () => {
      assert.equal((await t.api('GET', '/admin/system_tasks/nope/')).status, 404);
      assert.equal((await t.api('POST', '/admin/system_tasks/nope/retry/')).status, 404);
      await recordTaskResult(t.services.db, { name: 'removed_task', status: 'ERROR', started: new Date(), finished: new Date() });
      const res = await t.api('POST', '/admin/system_tasks/removed_task/retry/');
      assert.equal(res.status, 500);
      assert.equal((await t.api('GET', '/admin/system_tasks/removed_task/')).status, 404);
    });

    it('is for superusers only', async () => {
      assert.equal((await t.api('GET', '/admin/system_tasks/', { token: USER_TOKEN })).status, 403);
      assert.equal((await t.api('GET', '/admin/system_tasks/zz_cleanup/', { token: USER_TOKEN })).status, 403);
      assert.equal((await t.api('POST', '/admin/system_tasks/zz_cleanup/retry/', { token: USER_TOKEN })).status, 403);
    });
  });
});
