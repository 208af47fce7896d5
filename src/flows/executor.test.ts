import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { eq } from 'drizzle-orm';
import { ADMIN_PASSWORD, startTestApp, type TestApp } from '../../test/support/app.js';
import { checkResponse } from '../../test/support/contract.js';
import { authenticatedSessions, sessions, users } from '../core/table.js';
import { events } from '../events/table.js';
import { totalScore } from '../policies/reputation/scores.js';
import { FlowClient } from './testing.js';
import { ensurePasswordLoginFlow, passwordLoginThroughExecutor } from './bench.js';

describe('flows/executor', () => {
  let t: TestApp;
  const client = () => new FlowClient(t.app, checkResponse);

  /** A login flow built through the API: identification, password, user_login. */
  async function loginFlow(slug: string, options: { flow?: Record<string, unknown>; identification?: Record<string, unknown>; password?: Record<string, unknown>; login?: Record<string, unknown> } = {}) {
    const flow = await t.api('POST', '/flows/instances/', {
      body: { name: slug, slug, title: `Login to %(app)s as %(user)s`, designation: 'authentication', ...options.flow },
    });
    assert.equal(flow.status, 201, JSON.stringify(flow.body));
    const ident = await t.api('POST', '/stages/identification/', { body: { name: `${slug}-ident`, user_fields: ['username', 'email'], ...options.identification } });
    assert.equal(ident.status, 201, JSON.stringify(ident.body));
    const password = await t.api('POST', '/stages/password/', {
      body: { name: `${slug}-password`, backends: ['authentik.core.auth.InbuiltBackend'], ...options.password },
    });
    assert.equal(password.status, 201, JSON.stringify(password.body));
    const login = await t.api('POST', '/stages/user_login/', { body: { name: `${slug}-login`, ...options.login } });
    assert.equal(login.status, 201, JSON.stringify(login.body));
    for (const [order, stage] of [[10, ident.body.pk], [20, password.body.pk], [100, login.body.pk]]) {
      const binding = await t.api('POST', '/flows/bindings/', { body: { target: flow.body.pk, stage, order } });
      assert.equal(binding.status, 201, JSON.stringify(binding.body));
    }
    return { flow: flow.body, ident: ident.body, password: password.body, login: login.body };
  }

  before(async () => {
    t = await startTestApp();
    await loginFlow('test-login');
  });
  after(() => t.close());

  it('logs akadmin in by username, and the session cookie authenticates the API', async () => {
    const c = client();
    const first = await c.get('test-login', 'next=/if/admin/');
    assert.equal(first.status, 200);
    assert.equal(first.body.component, 'ak-stage-identification');
    assert.deepEqual(first.body.user_fields, ['username', 'email']);
    assert.equal(first.body.password_fields, false);
    assert.equal(first.body.primary_action, 'Log in');
    assert.equal(first.body.flow_info.title, 'Login to  as ');
    assert.equal(first.body.flow_info.cancel_url, '/flows/-/cancel/');
    const anonymousKey = c.cookies.get('authentik_session');
    assert.ok(anonymousKey);

    const password = await c.post('test-login', { component: 'ak-stage-identification', uid_field: 'akadmin' }, 'next=/if/admin/');
    assert.equal(password.body.component, 'ak-stage-password');
    assert.equal(password.body.pending_user, 'akadmin');
    assert.ok(password.body.pending_user_avatar);

    const done = await c.post('test-login', { component: 'ak-stage-password', password: ADMIN_PASSWORD }, 'next=/if/admin/');
    assert.equal(done.body.component, 'xak-flow-redirect');
    assert.equal(done.body.to, '/if/admin/');
    const loggedInKey = c.cookies.get('authentik_session');
    assert.ok(loggedInKey);
    assert.notEqual(loggedInKey, anonymousKey, 'the session key changes on login');
    assert.equal((await t.services.db.select().from(sessions).where(eq(sessions.sessionKey, anonymousKey!))).length, 0);

    const me = await c.api('GET', '/core/users/me/');
    assert.equal(me.status, 200);
    assert.equal(me.body.user.username, 'akadmin');
    const [admin] = await t.services.db.select().from(users).where(eq(users.username, 'akadmin'));
    assert.ok(admin.lastLogin);
    const authenticated = await t.services.db.select().from(authenticatedSessions).where(eq(authenticatedSessions.sessionKey, loggedInKey!));
    assert.equal(authenticated.length, 1);
    assert.equal(authenticated[0].userId, admin.id);
    const logins = await t.services.db.select().from(events).where(eq(events.action, 'login'));
    assert.ok(logins.some((e) => (e.user as { username?: string }).username === 'akadmin'));
  });

  it('matches email case-insensitively and refuses a wrong password with response_errors.password', async () => {
    const c = client();
    await c.get('test-login');
    const password = await c.post('test-login', { uid_field: 'ADMIN@example.test' });
    assert.equal(password.body.component, 'ak-stage-password');
    const scoreBefore = await totalScore(t.services, { identifier: 'akadmin' });
    const wrong = await c.post('test-login', { password: 'not-the-password' });
    assert.equal(wrong.body.component, 'ak-stage-password');
    assert.deepEqual(wrong.body.response_errors, { password: [{ string: 'Invalid password', code: 'invalid' }] });
    const failed = await t.services.db.select().from(events).where(eq(events.action, 'login_failed'));
    assert.ok(failed.length >= 1);
    assert.notEqual((failed[0].context as Record<string, unknown>).password, 'not-the-password');
    assert.equal(await totalScore(t.services, { identifier: 'akadmin' }), scoreBefore - 1, 'a wrong password lowers the reputation');
    const done = await c.post('test-login', { password: ADMIN_PASSWORD });
    assert.equal(done.body.component, 'xak-flow-redirect');
    assert.equal(done.body.to, '/');
  });

  it('refuses an unsafe next URL', async () => {
    const c = client();
    await c.get('test-login', 'next=https://evil.example/');
    await c.post('test-login', { uid_field: 'akadmin' }, 'next=https://evil.example/');
    const done = await c.post('test-login', { password: ADMIN_PASSWORD }, 'next=https://evil.example/');
    assert.equal(done.body.component, 'ak-stage-access-denied');
    assert.equal(done.body.error_message, 'Invalid next URL');
  });

  /** A flow of the given stages (created through their APIs) bound in order. */
  async function flowOf(slug: string, flow: Record<string, unknown>, stages: [string, Record<string, unknown>, Record<string, unknown>?][]) {
    const created = await t.api('POST', '/flows/instances/', { body: { name: slug, slug, title: slug, designation: 'authentication', ...flow } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const bindings = [];
    for (const [index, [type, body, binding]] of stages.entries()) {
      const stage = await t.api('POST', `/stages/${type}/`, { body: { name: `${slug}-${type}-${index}`, ...body } });
      assert.equal(stage.status, 201, JSON.stringify(stage.body));
      const bound = await t.api('POST', '/flows/bindings/', { body: { target: created.body.pk, stage: stage.body.pk, order: index * 10, ...binding } });
      assert.equal(bound.status, 201, JSON.stringify(bound.body));
      bindings.push(bound.body);
    }
    return { flow: created.body, bindings };
  }

  async function dummyPolicy(name: string, result: boolean) {
    const policy = await t.api('POST', '/policies/dummy/', { body: { name, result, wait_min: 0, wait_max: 0 } });
    assert.equal(policy.status, 201, JSON.stringify(policy.body));
    return policy.body.pk as string;
  }

  async function loggedInClient() {
    const c = client();
    await c.get('test-login');
    await c.post('test-login', { uid_field: 'akadmin' });
    const done = await c.post('test-login', { password: ADMIN_PASSWORD });
    assert.equal(done.body.component, 'xak-flow-redirect');
    return c;
  }

  it('needs the CSRF header for unsafe API calls with the session cookie', async () => {
    const c = await loggedInClient();
    const session = c.cookies.get('authentik_session')!;
    const bare = await t.inject({ method: 'POST', url: '/api/v3/core/users/', headers: { cookie: `authentik_session=${session}`, 'content-type': 'application/json' }, payload: '{"username":"x","name":"x"}' });
    assert.equal(bare.statusCode, 403);
    assert.match(bare.json().detail, /CSRF/);
    const created = await c.api('POST', '/core/users/', { username: 'csrf-user', name: 'CSRF' });
    assert.equal(created.status, 201);
  });

  it('logs out through a user_logout flow: the session ends', async () => {
    await flowOf('test-logout', { designation: 'invalidation' }, [['user_logout', {}]]);
    const c = await loggedInClient();
    const oldKey = c.cookies.get('authentik_session')!;
    const done = await c.get('test-logout');
    assert.equal(done.body.component, 'xak-flow-redirect');
    assert.equal(done.body.to, '/');
    assert.equal((await t.services.db.select().from(sessions).where(eq(sessions.sessionKey, oldKey))).length, 0);
    assert.equal((await t.services.db.select().from(authenticatedSessions).where(eq(authenticatedSessions.sessionKey, oldKey))).length, 0);
    const me = await c.api('GET', '/core/users/me/');
    assert.equal(me.status, 403);
    const logouts = await t.services.db.select().from(events).where(eq(events.action, 'logout'));
    assert.equal(logouts.length, 1);
  });

  it('honours the authentication requirement', async () => {
    await flowOf('test-unauth', { authentication: 'require_unauthenticated' }, [['dummy', {}]]);
    await flowOf('test-auth', { authentication: 'require_authenticated' }, [['dummy', {}]]);
    await flowOf('test-super', { authentication: 'require_superuser', denied_action: 'message' }, [['dummy', {}]]);
    const anonymous = client();
    assert.equal((await anonymous.get('test-unauth')).body.component, 'ak-stage-dummy');
    const denied = await anonymous.get('test-auth');
    assert.equal(denied.body.component, 'ak-stage-access-denied');
    assert.equal(denied.body.error_message, 'Flow does not apply to current user.');
    assert.equal((await anonymous.get('test-super')).body.component, 'ak-stage-access-denied');
    const admin = await loggedInClient();
    assert.equal((await admin.get('test-unauth')).body.component, 'ak-stage-access-denied');
    assert.equal((await admin.get('test-auth')).body.component, 'ak-stage-dummy');
    assert.equal((await admin.get('test-super')).body.component, 'ak-stage-dummy');
    const passed = await admin.post('test-super', { component: 'ak-stage-dummy' });
    assert.equal(passed.body.component, 'xak-flow-redirect');
  });

  it('denies a flow whose policy fails, per denied_action', async () => {
    const deny = await dummyPolicy('always-false', false);
    const message = await flowOf('test-denied', { denied_action: 'message' }, [['dummy', {}]]);
    const cont = await flowOf('test-denied-continue', { denied_action: 'continue' }, [['dummy', {}]]);
    const messageContinue = await flowOf('test-denied-mc', { denied_action: 'message_continue' }, [['dummy', {}]]);
    for (const flow of [message.flow, cont.flow, messageContinue.flow]) {
      const bound = await t.api('POST', '/policies/bindings/', { body: { policy: deny, target: flow.policybindingmodel_ptr_id, order: 0 } });
      assert.equal(bound.status, 201, JSON.stringify(bound.body));
    }
    const c = client();
    const denied = await c.get('test-denied', 'next=/if/user/');
    assert.equal(denied.body.component, 'ak-stage-access-denied');
    assert.equal(denied.body.error_message, 'dummy');
    const continued = await c.get('test-denied-continue');
    assert.deepEqual([continued.body.component, continued.body.to], ['xak-flow-redirect', '/']);
    const toNext = await c.get('test-denied-mc', 'next=/if/user/');
    assert.deepEqual([toNext.body.component, toNext.body.to], ['xak-flow-redirect', '/if/user/']);
    assert.equal((await c.get('test-denied-mc')).body.component, 'ak-stage-access-denied');
    const flow = await t.api('GET', '/flows/instances/test-denied/');
    assert.deepEqual(flow.body.policies, [deny]);
  });

  it('drops stages whose policies fail, on planning or when re-evaluated', async () => {
    const no = await dummyPolicy('stage-false', false);
    const { bindings } = await flowOf('test-stage-policies', {}, [
      ['dummy', {}, { evaluate_on_plan: true, re_evaluate_policies: false }],
      ['dummy', {}, { evaluate_on_plan: false, re_evaluate_policies: true }],
      ['deny', { deny_message: 'Stopped here' }],
    ]);
    for (const binding of bindings.slice(0, 2)) {
      const bound = await t.api('POST', '/policies/bindings/', { body: { policy: no, target: binding.policybindingmodel_ptr_id, order: 0 } });
      assert.equal(bound.status, 201);
    }
    const denied = await client().get('test-stage-policies');
    assert.equal(denied.body.component, 'ak-stage-access-denied');
    assert.equal(denied.body.error_message, 'Stopped here');
  });

  it('shows ak-stage-flow-error without details when a stage fails', async () => {
    await flowOf('test-error', {}, [['dummy', { throw_error: true }]]);
    const failed = await client().get('test-error');
    assert.equal(failed.body.component, 'ak-stage-flow-error');
    assert.ok(failed.body.request_id);
    assert.equal(failed.body.error, undefined);
    assert.equal(failed.body.traceback, undefined);
    assert.doesNotMatch(JSON.stringify(failed.body), /Test error/);
  });

  it('cancels after too many wrong passwords', async () => {
    await loginFlow('test-attempts', { password: { failed_attempts_before_cancel: 1 } });
    const c = client();
    await c.get('test-attempts');
    await c.post('test-attempts', { uid_field: 'akadmin' });
    assert.equal((await c.post('test-attempts', { password: 'wrong-1' })).body.component, 'ak-stage-password');
    const denied = await c.post('test-attempts', { password: 'wrong-2' });
    assert.equal(denied.body.component, 'ak-stage-access-denied');
    const again = await c.get('test-attempts');
    assert.equal(again.body.component, 'ak-stage-identification');
  });

  it('identifies with an inline password, and pretends unknown users exist', async () => {
    const inline = await loginFlow('test-inline');
    await t.api('PATCH', `/stages/identification/${inline.ident.pk}/`, { body: { password_stage: inline.password.pk } });
    const c = client();
    const first = await c.get('test-inline');
    assert.equal(first.body.password_fields, true);
    const wrong = await c.post('test-inline', { uid_field: 'akadmin', password: 'nope' });
    assert.deepEqual(wrong.body.response_errors, { non_field_errors: [{ string: 'Failed to authenticate.', code: 'invalid' }] });
    const next = await c.post('test-inline', { uid_field: 'akadmin', password: ADMIN_PASSWORD });
    assert.equal(next.body.component, 'ak-stage-password');

    const pretend = client();
    await pretend.get('test-login');
    const unknown = await pretend.post('test-login', { uid_field: 'nobody-here' });
    assert.equal(unknown.body.component, 'ak-stage-password');
    assert.equal(unknown.body.pending_user, 'nobody-here');
    const refused = await pretend.post('test-login', { password: 'anything' });
    assert.deepEqual(refused.body.response_errors.password, [{ string: 'Invalid password', code: 'invalid' }]);
  });

  it('restarts the flow on an invalid response when the binding says so', async () => {
    const { bindings } = await flowOf('test-restart', {}, [['dummy', {}], ['identification', { user_fields: ['username'], pretend_user_exists: false }, { invalid_response_action: 'restart' }]]);
    assert.equal(bindings[1].invalid_response_action, 'restart');
    const c = client();
    assert.equal((await c.get('test-restart')).body.component, 'ak-stage-dummy');
    assert.equal((await c.post('test-restart', {})).body.component, 'ak-stage-identification');
    const restarted = await c.post('test-restart', { uid_field: 'no-such-user' });
    assert.equal(restarted.body.component, 'ak-stage-dummy');
  });

  it('asks to be remembered when the login stage has a remember_me_offset, and sets the session duration', async () => {
    await loginFlow('test-remember', { login: { session_duration: 'hours=1', remember_me_offset: 'days=1' } });
    const c = client();
    await c.get('test-remember');
    await c.post('test-remember', { uid_field: 'akadmin' });
    const ask = await c.post('test-remember', { password: ADMIN_PASSWORD });
    assert.equal(ask.body.component, 'ak-stage-user-login');
    assert.equal(ask.body.pending_user, 'akadmin');
    const response = await c.request('POST', c.executorUrl('test-remember'), { remember_me: true });
    const cookie = (response.cookies as { name: string; expires?: Date }[]).find((k) => k.name === 'authentik_session');
    assert.ok(cookie?.expires);
    const hours = (cookie!.expires!.getTime() - Date.now()) / 3600_000;
    assert.ok(hours > 24.5 && hours < 25.5, `cookie lives ${hours} h`);
  });

  it('ends the user\'s other sessions when the login stage says so, and only then', async () => {
    await loginFlow('test-terminate', { login: { terminate_other_sessions: true } });
    const logIn = async (slug: string) => {
      const c = client();
      await c.get(slug);
      await c.post(slug, { uid_field: 'akadmin' });
      const done = await c.post(slug, { password: ADMIN_PASSWORD });
      assert.equal(done.body.component, 'xak-flow-redirect');
      return c;
    };
    const first = await logIn('test-login');
    const second = await logIn('test-login');
    assert.equal((await first.api('GET', '/core/users/me/')).status, 200, 'a plain login leaves other sessions alone');
    const third = await logIn('test-terminate');
    assert.equal((await third.api('GET', '/core/users/me/')).status, 200);
    for (const ended of [first, second]) {
      assert.equal((await ended.api('GET', '/core/users/me/')).status, 403);
      const key = ended.cookies.get('authentik_session')!;
      assert.equal((await t.services.db.select().from(authenticatedSessions).where(eq(authenticatedSessions.sessionKey, key))).length, 0);
    }
  });

  it('answers a passed stage with the next stage\'s challenge, except after a login, which a new request must carry', async () => {
    const { flow } = await loginFlow('test-continue');
    const dummy = await t.api('POST', '/stages/dummy/', { body: { name: 'test-continue-after-login' } });
    assert.equal((await t.api('POST', '/flows/bindings/', { body: { target: flow.pk, stage: dummy.body.pk, order: 200 } })).status, 201);
    const c = client();
    await c.get('test-continue');
    // authentik redirects to the executor here; the next challenge comes at once, a round trip sooner.
    const identified = await c.request('POST', c.executorUrl('test-continue'), { uid_field: 'akadmin' });
    assert.equal(identified.statusCode, 200);
    assert.equal(JSON.parse(identified.body).component, 'ak-stage-password');
    const loggedIn = await c.request('POST', c.executorUrl('test-continue'), { password: ADMIN_PASSWORD });
    assert.equal(loggedIn.statusCode, 302, 'the stage after user_login runs in a request of the logged-in user');
    const after = await c.follow('GET', String(loggedIn.headers.location));
    assert.equal(after.body.component, 'ak-stage-dummy');
    assert.equal((await c.api('GET', '/core/users/me/')).body.user.username, 'akadmin');
  });

  it('times a password login in-process through the bench helpers', async () => {
    const slug = await ensurePasswordLoginFlow(t.services);
    assert.equal(await ensurePasswordLoginFlow(t.services), slug);
    await passwordLoginThroughExecutor(t.app, slug, 'akadmin', ADMIN_PASSWORD);
    await assert.rejects(passwordLoginThroughExecutor(t.app, slug, 'akadmin', 'wrong'), /login failed/);
  });
});
