import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { eq } from 'drizzle-orm';
import { startTestApp, type TestApp } from '../../../test/support/app.js';
import { checkResponse } from '../../../test/support/contract.js';
import { hashPassword } from '../../core/passwords.js';
import { users } from '../../core/table.js';
import { events } from '../../events/table.js';
import { FlowClient } from '../../flows/testing.js';

describe('stages/user_delete', () => {
  let t: TestApp;
  const client = () => new FlowClient(t.app, checkResponse);

  async function flowOf(slug: string, designation: string, stages: [string, Record<string, unknown>][]) {
    const flow = await t.api('POST', '/flows/instances/', { body: { name: slug, slug, title: slug, designation } });
    assert.equal(flow.status, 201, JSON.stringify(flow.body));
    for (const [index, [path, body]] of stages.entries()) {
      const stage = await t.api('POST', `/stages/${path}/`, { body: { name: `${slug}-${index}`, ...body } });
      assert.equal(stage.status, 201, JSON.stringify(stage.body));
      const bound = await t.api('POST', '/flows/bindings/', { body: { target: flow.body.pk, stage: stage.body.pk, order: index * 10 } });
      assert.equal(bound.status, 201, JSON.stringify(bound.body));
    }
  }

  before(async () => {
    t = await startTestApp();
    await flowOf('login', 'authentication', [
      ['identification', { user_fields: ['username'] }],
      ['password', { backends: ['authentik.core.auth.InbuiltBackend'] }],
      ['user_login', {}],
    ]);
    await flowOf('unenroll', 'unenrollment', [['user_delete', {}]]);
  });
  after(() => t.close());

  it('has the API of the schema', async () => {
    const created = await t.api('POST', '/stages/user_delete/', { body: { name: 'api-delete' } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.component, 'ak-stage-user-delete-form');
    assert.equal(created.body.verbose_name, 'User Delete Stage');
    const listed = await t.api('GET', `/stages/user_delete/?stage_uuid=${created.body.pk}`);
    assert.deepEqual(listed.body.results.map((s: { name: string }) => s.name), ['api-delete']);
    assert.equal((await t.api('DELETE', `/stages/user_delete/${created.body.pk}/`)).status, 204);
  });

  it('deletes the logged-in user and ends their session', async () => {
    const [leaver] = await t.services.db.insert(users).values({ username: 'leaver', password: await hashPassword('leaving now', 1000) }).returning();
    const c = client();
    await c.get('login');
    await c.post('login', { uid_field: 'leaver' });
    const loggedIn = await c.post('login', { password: 'leaving now' });
    assert.equal(loggedIn.body.component, 'xak-flow-redirect', JSON.stringify(loggedIn.body));
    assert.equal((await c.api('GET', '/core/users/me/')).status, 200);

    const done = await c.get('unenroll');
    assert.equal(done.body.component, 'xak-flow-redirect', JSON.stringify(done.body));
    assert.equal((await t.services.db.select().from(users).where(eq(users.id, leaver.id))).length, 0);
    assert.equal((await c.api('GET', '/core/users/me/')).status, 403, 'the session ended with the user');
    const deleted = await t.services.db.select().from(events).where(eq(events.action, 'model_deleted'));
    assert.ok(deleted.some((e) => (e.context as any).model?.pk === leaver.id && (e.context as any).model?.model_name === 'user'));
  });

  it('refuses without a pending user', async () => {
    const denied = await client().get('unenroll');
    assert.equal(denied.body.component, 'ak-stage-access-denied');
    assert.equal(denied.body.error_message, 'No Pending User.');
  });
});
