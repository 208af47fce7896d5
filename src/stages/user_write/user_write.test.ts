import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { and, eq } from 'drizzle-orm';
import { ADMIN_PASSWORD, startTestApp, type TestApp } from '../../../test/support/app.js';
import { checkResponse } from '../../../test/support/contract.js';
import { groups, userGroups, users } from '../../core/table.js';
import { verifyPassword } from '../../core/passwords.js';
import { events } from '../../events/table.js';
import { FlowClient } from '../../flows/testing.js';
import { applyBlueprint } from '../../blueprints/importer.js';
import { loadBlueprint } from '../../blueprints/loader.js';

describe('stages/user_write', () => {
  let t: TestApp;
  const client = () => new FlowClient(t.app, checkResponse);

  async function prompt(name: string, body: Record<string, unknown>): Promise<string> {
    const created = await t.api('POST', '/stages/prompt/prompts/', { body: { name, label: name, required: true, ...body } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    return created.body.pk;
  }

  /** A flow of stages created through their APIs, bound in order. */
  async function flowOf(slug: string, flow: Record<string, unknown>, stages: [string, Record<string, unknown>][]) {
    const created = await t.api('POST', '/flows/instances/', { body: { name: slug, slug, title: slug, designation: 'enrollment', ...flow } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const out: Record<string, any>[] = [];
    for (const [index, [path, body]] of stages.entries()) {
      const stage = await t.api('POST', `/stages/${path}/`, { body: { name: `${slug}-${index}`, ...body } });
      assert.equal(stage.status, 201, JSON.stringify(stage.body));
      const bound = await t.api('POST', '/flows/bindings/', { body: { target: created.body.pk, stage: stage.body.pk, order: index * 10 } });
      assert.equal(bound.status, 201, JSON.stringify(bound.body));
      out.push(stage.body);
    }
    return { flow: created.body, stages: out };
  }

  let enrollmentFields: string[];

  before(async () => {
    t = await startTestApp();
    enrollmentFields = [
      await prompt('enroll-username', { field_key: 'username', type: 'username', order: 0 }),
      await prompt('enroll-name', { field_key: 'name', type: 'text', order: 1 }),
      await prompt('enroll-email', { field_key: 'email', type: 'email', order: 2 }),
      await prompt('enroll-password', { field_key: 'password', type: 'password', order: 3 }),
      await prompt('enroll-password-repeat', { field_key: 'password_repeat', type: 'password', order: 4 }),
      await prompt('enroll-team', { field_key: 'attributes.team.name', type: 'text', required: false, order: 5 }),
    ];
    await flowOf('enroll', { authentication: 'require_unauthenticated' }, [
      ['prompt/stages', { fields: enrollmentFields }],
      ['user_write', { user_creation_mode: 'always_create' }],
      ['user_login', {}],
    ]);
  });
  after(() => t.close());

  it('has the API of the schema', async () => {
    const group = await t.services.db.insert(groups).values({ name: 'writers' }).returning();
    const created = await t.api('POST', '/stages/user_write/', {
      body: { name: 'api-write', user_creation_mode: 'never_create', create_users_as_inactive: true, create_users_group: group[0].groupUuid, user_type: 'internal', user_path_template: 'users/api' },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.component, 'ak-stage-user-write-form');
    assert.equal(created.body.meta_model_name, 'authentik_stages_user_write.userwritestage');
    assert.equal(created.body.user_type, 'internal');
    const defaults = await t.api('POST', '/stages/user_write/', { body: { name: 'api-write-defaults' } });
    assert.equal(defaults.body.user_creation_mode, 'create_when_required');
    assert.equal(defaults.body.user_type, 'external');
    assert.equal(defaults.body.user_path_template, '');
    assert.equal(defaults.body.create_users_group, null);
    const filtered = await t.api('GET', '/stages/user_write/?user_creation_mode=never_create');
    assert.deepEqual(filtered.body.results.map((s: { name: string }) => s.name), ['api-write']);
    const missingGroup = await t.api('PATCH', `/stages/user_write/${created.body.pk}/`, { body: { create_users_group: '00000000-0000-4000-8000-000000000000' } });
    assert.equal(missingGroup.status, 400);
    assert.ok(missingGroup.body.create_users_group);
    const types = await t.api('GET', '/stages/all/types/');
    assert.ok(types.body.some((type: { model_name: string }) => type.model_name === 'userwritestage'));
    assert.equal((await t.api('DELETE', `/stages/user_write/${created.body.pk}/`)).status, 204);
  });

  it('enrolls a user through prompt, user_write and user_login, and the session authenticates the API', async () => {
    const c = client();
    const first = await c.get('enroll', 'next=/if/user/');
    assert.equal(first.body.component, 'ak-stage-prompt');
    assert.deepEqual(first.body.fields.map((f: { field_key: string }) => f.field_key), ['username', 'name', 'email', 'password', 'password_repeat', 'attributes.team.name']);

    const done = await c.post('enroll', {
      component: 'ak-stage-prompt', username: 'newcomer', name: 'New Comer', email: 'newcomer@example.test', password: 'correct horse', password_repeat: 'correct horse',
      'attributes.team.name': 'blue',
    }, 'next=/if/user/');
    assert.equal(done.body.component, 'xak-flow-redirect', JSON.stringify(done.body));
    assert.equal(done.body.to, '/if/user/');

    const me = await c.api('GET', '/core/users/me/');
    assert.equal(me.status, 200);
    assert.equal(me.body.user.username, 'newcomer');
    assert.equal(me.body.user.name, 'New Comer');
    assert.equal(me.body.user.email, 'newcomer@example.test');

    const [user] = await t.services.db.select().from(users).where(eq(users.username, 'newcomer'));
    assert.ok(await verifyPassword('correct horse', user.password), 'the password is stored hashed');
    assert.notEqual(user.password, 'correct horse');
    assert.deepEqual(user.attributes, { team: { name: 'blue' } });
    assert.equal(user.type, 'external');
    assert.equal(user.path, 'users');
    assert.equal(user.isActive, true);

    const recorded = await t.services.db.select().from(events);
    const created = recorded.find((e) => e.action === 'model_created' && (e.context as any).model?.model_name === 'user' && (e.context as any).model?.pk === user.id);
    assert.ok(created, 'model_created is recorded for the new user');
    assert.equal((created.user as { username: string }).username, 'AnonymousUser');
    const write = recorded.find((e) => e.action === 'user_write' && (e.user as { pk: number }).pk === user.id);
    assert.ok(write);
    assert.equal((write.context as Record<string, unknown>).created, true);
    assert.equal((write.context as Record<string, unknown>).username, 'newcomer');
    assert.notEqual((write.context as Record<string, unknown>).password, 'correct horse', 'the password is masked in the event');
    assert.ok(recorded.some((e) => e.action === 'password_set' && (e.user as { pk: number }).pk === user.id));
    assert.ok(recorded.some((e) => e.action === 'login' && (e.user as { pk: number }).pk === user.id));
  });

  it('shows a duplicate username as a field error, and a save that collides as a stage error', async () => {
    const c = client();
    await c.get('enroll');
    const taken = await c.post('enroll', {
      username: 'akadmin', name: 'x', email: 'x@example.test', password: 'pw-1', password_repeat: 'pw-1',
    });
    assert.equal(taken.body.component, 'ak-stage-prompt');
    assert.deepEqual(taken.body.response_errors, { username: [{ string: 'Username is already taken.', code: 'invalid' }] });

    // The username is free when prompted but taken before the user is written (while the user reads a page between).
    const race = await flowOf('enroll-race', {}, [
      ['prompt/stages', { fields: [enrollmentFields[0]] }],
      ['dummy', {}],
      ['user_write', { user_creation_mode: 'always_create' }],
    ]);
    assert.ok(race);
    const r = client();
    await r.get('enroll-race');
    const prompted = await r.post('enroll-race', { username: 'racer' });
    assert.equal(prompted.body.component, 'ak-stage-dummy');
    await t.services.db.insert(users).values({ username: 'racer' });
    const denied = await r.post('enroll-race', {});
    assert.equal(denied.body.component, 'ak-stage-access-denied');
    assert.equal(denied.body.error_message, 'Failed to update user. Please try again later.');
  });

  it('creates users inactive, in a group, with the stage\'s path and type', async () => {
    const [group] = await t.services.db.insert(groups).values({ name: 'enrolled' }).returning();
    await flowOf('enroll-options', {}, [
      ['prompt/stages', { fields: [enrollmentFields[0]] }],
      ['user_write', { user_creation_mode: 'create_when_required', create_users_as_inactive: true, create_users_group: group.groupUuid, user_path_template: 'users/enrolled', user_type: 'internal_service_account' }],
    ]);
    const c = client();
    await c.get('enroll-options');
    const done = await c.post('enroll-options', { username: 'optioned' });
    assert.equal(done.body.component, 'xak-flow-redirect');
    const [user] = await t.services.db.select().from(users).where(eq(users.username, 'optioned'));
    assert.equal(user.isActive, false);
    assert.equal(user.path, 'users/enrolled');
    assert.equal(user.type, 'service_account', 'internal service accounts are never created by a flow');
    assert.equal(user.password, '');
    const membership = await t.services.db.select().from(userGroups).where(and(eq(userGroups.userId, user.id), eq(userGroups.groupId, group.groupUuid)));
    assert.equal(membership.length, 1);
  });

  it('updates the logged-in user (model_updated) unless it always creates; never_create without a user is refused', async () => {
    const [name] = [await prompt('settings-name', { field_key: 'name', type: 'text' })];
    const attributes = await prompt('settings-locale', { field_key: 'attributes_settings_locale', type: 'ak-locale', required: false });
    await flowOf('settings', { designation: 'stage_configuration' }, [
      ['prompt/stages', { fields: [name, attributes] }],
      ['user_write', { user_creation_mode: 'never_create' }],
    ]);
    await flowOf('login', { designation: 'authentication' }, [
      ['identification', { user_fields: ['username'] }],
      ['password', { backends: ['authentik.core.auth.InbuiltBackend'] }],
      ['user_login', {}],
    ]);
    const c = client();
    await c.get('login');
    await c.post('login', { uid_field: 'akadmin' });
    const loggedIn = await c.post('login', { password: ADMIN_PASSWORD });
    assert.equal(loggedIn.body.component, 'xak-flow-redirect', JSON.stringify(loggedIn.body));
    const [before] = await t.services.db.select().from(users).where(eq(users.username, 'akadmin'));

    const form = await c.get('settings');
    assert.equal(form.body.component, 'ak-stage-prompt');
    const done = await c.post('settings', { name: 'Admin Renamed', attributes_settings_locale: 'de' });
    assert.equal(done.body.component, 'xak-flow-redirect', JSON.stringify(done.body));
    const [after] = await t.services.db.select().from(users).where(eq(users.username, 'akadmin'));
    assert.equal(after.id, before.id);
    assert.equal(after.name, 'Admin Renamed');
    assert.deepEqual((after.attributes as Record<string, any>).settings, { locale: 'de' });
    assert.equal(after.password, before.password, 'no password prompt, no password change');
    const updated = await t.services.db.select().from(events).where(eq(events.action, 'model_updated'));
    assert.ok(updated.some((e) => (e.context as any).model?.pk === before.id && (e.user as { username: string }).username === 'akadmin'));

    const anonymous = client();
    await anonymous.get('settings');
    const refused = await anonymous.post('settings', { name: 'Nobody' });
    assert.equal(refused.body.component, 'ak-stage-access-denied');
    assert.equal(refused.body.error_message, "No user found and can't create new user.");
  });

  it('enrolls through a flow a blueprint in authentik\'s format made (prompt_type as later versions name it)', async () => {
    const blueprint = loadBlueprint(`version: 1
metadata:
  name: enrollment from a blueprint
entries:
  - model: authentik_flows.flow
    id: flow
    identifiers: { slug: bp-enrollment }
    attrs: { name: Enrollment, title: Welcome, designation: enrollment, authentication: require_unauthenticated }
  - model: authentik_stages_prompt.prompt
    id: username
    identifiers: { name: bp-username }
    attrs: { field_key: username, label: Username, prompt_type: username, required: true, order: 0 }
  - model: authentik_stages_prompt.prompt
    id: locale
    identifiers: { name: bp-locale }
    attrs: { field_key: attributes.settings.locale, label: Locale, type: ak-locale, required: false, initial_value: en, order: 1 }
  - model: authentik_stages_prompt.promptstage
    id: prompt
    identifiers: { name: bp-prompt }
    attrs: { fields: [!KeyOf username, !KeyOf locale] }
  - model: authentik_stages_user_write.userwritestage
    id: write
    identifiers: { name: bp-write }
    attrs: { user_creation_mode: always_create, user_type: internal, user_path_template: users/bp }
  - model: authentik_stages_user_login.userloginstage
    id: login
    identifiers: { name: bp-login }
  - model: authentik_flows.flowstagebinding
    identifiers: { target: !KeyOf flow, stage: !KeyOf prompt, order: 10 }
  - model: authentik_flows.flowstagebinding
    identifiers: { target: !KeyOf flow, stage: !KeyOf write, order: 20 }
  - model: authentik_flows.flowstagebinding
    identifiers: { target: !KeyOf flow, stage: !KeyOf login, order: 30 }
`);
    const applied = await applyBlueprint(t.services, blueprint);
    assert.ok(applied.ok, JSON.stringify(applied.problems));
    const c = client();
    const form = await c.get('bp-enrollment');
    assert.deepEqual(form.body.fields.map((f: { type: string; initial_value: string }) => [f.type, f.initial_value]), [['username', ''], ['ak-locale', 'en']]);
    const done = await c.post('bp-enrollment', { username: 'blueprinted' });
    assert.equal(done.body.component, 'xak-flow-redirect', JSON.stringify(done.body));
    assert.equal((await c.api('GET', '/core/users/me/')).body.user.username, 'blueprinted');
    const [user] = await t.services.db.select().from(users).where(eq(users.username, 'blueprinted'));
    assert.equal(user.type, 'internal');
    assert.equal(user.path, 'users/bp');
    assert.deepEqual(user.attributes, { settings: { locale: 'en' } });
  });

  it('refuses to run without prompt data', async () => {
    await flowOf('write-only', {}, [['user_write', {}]]);
    const c = client();
    const denied = await c.get('write-only');
    assert.equal(denied.body.component, 'ak-stage-access-denied');
    assert.equal(denied.body.error_message, 'No Pending data.');
  });
});
