import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { eq } from 'drizzle-orm';
import { ADMIN_PASSWORD, startTestApp, type TestApp } from '../../../test/support/app.js';
import { checkResponse } from '../../../test/support/contract.js';
import { createSessionStore, SESSION_COOKIE } from '../../core/sessions.js';
import { userConsents, users } from '../../core/table.js';
import { flows } from '../../flows/table.js';
import { planFlow } from '../../flows/plan.js';
import { SESSION_KEY_PLAN } from '../../flows/executor.js';
import { FlowClient } from '../../flows/testing.js';

const OPENID = { id: 'openid', name: 'General Profile Information' };
const PROFILE = { id: 'profile', name: 'Your profile' };
const EMAIL = { id: 'email', name: 'Email address' };

describe('stages/consent', () => {
  let t: TestApp;
  let app: { pk: string; name: string; slug: string };
  let adminId: number;
  const client = () => new FlowClient(t.app, checkResponse);

  async function flowWith(slug: string, stage: Record<string, unknown>) {
    const flow = await t.api('POST', '/flows/instances/', { body: { name: slug, slug, title: 'Authorize %(app)s', designation: 'authorization' } });
    assert.equal(flow.status, 201, JSON.stringify(flow.body));
    const created = await t.api('POST', '/stages/consent/', { body: { name: `${slug}-consent`, ...stage } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const bound = await t.api('POST', '/flows/bindings/', { body: { target: flow.body.pk, stage: created.body.pk, order: 0 } });
    assert.equal(bound.status, 201, JSON.stringify(bound.body));
    return created.body;
  }

  /** A browser logged in as akadmin through a login flow. */
  async function loggedIn() {
    const c = client();
    await c.get('consent-login');
    await c.post('consent-login', { uid_field: 'akadmin' });
    assert.equal((await c.post('consent-login', { password: ADMIN_PASSWORD })).body.component, 'xak-flow-redirect');
    return c;
  }

  /** What a provider does before sending the browser to its authorization flow: a plan with its context. */
  async function startAuthorization(c: FlowClient, slug: string, permissions: { id: string; name: string }[], withApplication = true) {
    const [flow] = await t.services.db.select().from(flows).where(eq(flows.slug, slug));
    const [admin] = await t.services.db.select().from(users).where(eq(users.id, adminId));
    const store = createSessionStore(t.services.db);
    const session = await store.load(c.cookies.get(SESSION_COOKIE));
    assert.ok(session);
    const plan = await planFlow({ services: t.services, flow, user: admin, isSuperuser: true }, {
      useCache: false,
      context: {
        ...(withApplication ? { application: { pk: app.pk, slug: app.slug, name: app.name } } : {}),
        consent_header: `You're about to sign into ${app.name}.`,
        consent_permissions: permissions,
      },
    });
    await store.save({ ...session, data: { ...session.data, [SESSION_KEY_PLAN]: plan } });
  }

  async function consents() {
    return t.services.db.select().from(userConsents).where(eq(userConsents.applicationId, app.pk));
  }

  before(async () => {
    t = await startTestApp();
    const flow = await t.api('POST', '/flows/instances/', { body: { name: 'login', slug: 'consent-login', title: 'Login', designation: 'authentication' } });
    const stages = [
      await t.api('POST', '/stages/identification/', { body: { name: 'consent-ident', user_fields: ['username'] } }),
      await t.api('POST', '/stages/password/', { body: { name: 'consent-password', backends: ['authentik.core.auth.InbuiltBackend'] } }),
      await t.api('POST', '/stages/user_login/', { body: { name: 'consent-user-login' } }),
    ];
    for (const [order, stage] of stages.entries()) {
      assert.equal((await t.api('POST', '/flows/bindings/', { body: { target: flow.body.pk, stage: stage.body.pk, order } })).status, 201);
    }
    app = (await t.api('POST', '/core/applications/', { body: { name: 'Wiki', slug: 'wiki' } })).body;
    [{ id: adminId }] = await t.services.db.select({ id: users.id }).from(users).where(eq(users.username, 'akadmin'));
  });
  after(() => t.close());

  it('manages consent stages through the API', async () => {
    const created = await t.api('POST', '/stages/consent/', { body: { name: 'api-consent' } });
    assert.equal(created.status, 201);
    assert.equal(created.body.mode, 'expiring');
    assert.equal(created.body.consent_expire_in, 'weeks=4');
    assert.equal(created.body.component, 'ak-stage-consent-form');
    assert.equal(created.body.meta_model_name, 'authentik_stages_consent.consentstage');
    const bad = await t.api('PATCH', `/stages/consent/${created.body.pk}/`, { body: { consent_expire_in: 'forever' } });
    assert.equal(bad.status, 400);
    assert.deepEqual(bad.body, { consent_expire_in: ["forever is not in the correct format of 'hours=3;minutes=1'."] });
    assert.equal((await t.api('PATCH', `/stages/consent/${created.body.pk}/`, { body: { mode: 'sometimes' } })).status, 400);
    const patched = await t.api('PATCH', `/stages/consent/${created.body.pk}/`, { body: { mode: 'permanent', consent_expire_in: 'hours=1;minutes=2' } });
    assert.equal(patched.status, 200);
    assert.equal(patched.body.consent_expire_in, 'hours=1;minutes=2');
    const listed = await t.api('GET', '/stages/consent/?mode=permanent');
    assert.deepEqual(listed.body.results.map((s: { name: string }) => s.name), ['api-consent']);
    assert.equal((await t.api('GET', `/stages/consent/?stage_uuid=${created.body.pk}`)).body.pagination.count, 1);
    const types = await t.api('GET', '/stages/all/types/');
    assert.ok(types.body.some((type: { model_name: string }) => type.model_name === 'consentstage'));
    assert.equal((await t.api('DELETE', `/stages/consent/${created.body.pk}/`)).status, 204);
  });

  it('always asks in always_require mode, checks the token, and stores nothing', async () => {
    await flowWith('consent-always', { mode: 'always_require' });
    const c = await loggedIn();
    for (let round = 0; round < 2; round += 1) {
      await startAuthorization(c, 'consent-always', [OPENID, PROFILE]);
      const challenge = await c.get('consent-always');
      assert.equal(challenge.body.component, 'ak-stage-consent');
      assert.deepEqual(challenge.body.permissions, [OPENID, PROFILE]);
      assert.deepEqual(challenge.body.additional_permissions, []);
      assert.equal(challenge.body.header_text, "You're about to sign into Wiki.");
      assert.equal(challenge.body.flow_info.title, 'Authorize Wiki');
      assert.equal(challenge.body.pending_user, 'akadmin');
      assert.ok(challenge.body.token);
      const stale = await c.post('consent-always', { token: 'not-the-token' });
      assert.equal(stale.body.component, 'ak-stage-consent', 'a response with another token does not pass');
      assert.notEqual(stale.body.token, challenge.body.token);
      const done = await c.post('consent-always', { token: stale.body.token });
      assert.equal(done.body.component, 'xak-flow-redirect');
    }
    assert.deepEqual(await consents(), []);
  });

  it('remembers permanent consent, and asks only for permissions added later', async () => {
    await flowWith('consent-permanent', { mode: 'permanent' });
    const c = await loggedIn();
    await startAuthorization(c, 'consent-permanent', [OPENID, PROFILE]);
    const first = await c.get('consent-permanent');
    assert.equal(first.body.component, 'ak-stage-consent');
    assert.equal((await c.post('consent-permanent', { token: first.body.token })).body.component, 'xak-flow-redirect');
    let stored = await consents();
    assert.equal(stored.length, 1);
    assert.deepEqual([stored[0].userId, stored[0].permissions, stored[0].expiring], [adminId, 'openid profile', false]);

    await startAuthorization(c, 'consent-permanent', [OPENID, PROFILE]);
    assert.equal((await c.get('consent-permanent')).body.component, 'xak-flow-redirect', 'consent given before is not asked again');
    await startAuthorization(c, 'consent-permanent', [OPENID]);
    assert.equal((await c.get('consent-permanent')).body.component, 'xak-flow-redirect', 'fewer permissions are covered too');

    await startAuthorization(c, 'consent-permanent', [OPENID, PROFILE, EMAIL]);
    const more = await c.get('consent-permanent');
    assert.equal(more.body.component, 'ak-stage-consent');
    assert.deepEqual(more.body.permissions, [OPENID, PROFILE]);
    assert.deepEqual(more.body.additional_permissions, [EMAIL]);
    assert.equal((await c.post('consent-permanent', { token: more.body.token })).body.component, 'xak-flow-redirect');
    stored = await consents();
    assert.equal(stored.length, 1, 'the new consent replaces the old one');
    assert.deepEqual(stored[0].permissions.split(' ').sort(), ['email', 'openid', 'profile']);

    const listed = await c.api('GET', '/core/user_consent/');
    assert.equal(listed.status, 200);
    assert.equal(listed.body.results[0].application.slug, 'wiki');
    assert.equal((await c.api('DELETE', `/core/user_consent/${stored[0].id}/`)).status, 204);
    await startAuthorization(c, 'consent-permanent', [OPENID]);
    assert.equal((await c.get('consent-permanent')).body.component, 'ak-stage-consent', 'withdrawn consent is asked again');
  });

  it('keeps expiring consent for consent_expire_in, then asks again', async () => {
    await flowWith('consent-expiring', { mode: 'expiring', consent_expire_in: 'hours=1;minutes=2' });
    const c = await loggedIn();
    await startAuthorization(c, 'consent-expiring', [OPENID]);
    const first = await c.get('consent-expiring');
    const before = Date.now();
    assert.equal((await c.post('consent-expiring', { token: first.body.token })).body.component, 'xak-flow-redirect');
    const [stored] = await consents();
    assert.equal(stored.expiring, true);
    const expected = before + 62 * 60_000;
    assert.ok(Math.abs(stored.expires.getTime() - expected) < 60_000, `expires ${stored.expires.toISOString()}`);

    await startAuthorization(c, 'consent-expiring', [OPENID]);
    assert.equal((await c.get('consent-expiring')).body.component, 'xak-flow-redirect');
    await t.services.db.update(userConsents).set({ expires: new Date(Date.now() - 1000) }).where(eq(userConsents.id, stored.id));
    await startAuthorization(c, 'consent-expiring', [OPENID]);
    const again = await c.get('consent-expiring');
    assert.equal(again.body.component, 'ak-stage-consent');
    assert.deepEqual(again.body.additional_permissions, []);
  });

  it('asks without storing when the plan has no application', async () => {
    await flowWith('consent-noapp', { mode: 'permanent' });
    const c = await loggedIn();
    const before = (await t.services.db.select().from(userConsents)).length;
    await startAuthorization(c, 'consent-noapp', [OPENID], false);
    const challenge = await c.get('consent-noapp');
    assert.equal(challenge.body.component, 'ak-stage-consent');
    assert.equal((await c.post('consent-noapp', { token: challenge.body.token })).body.component, 'xak-flow-redirect');
    assert.equal((await t.services.db.select().from(userConsents)).length, before);
  });
});
