import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { eq } from 'drizzle-orm';
import { startTestApp, type TestApp } from '../../../test/support/app.js';
import { checkResponse } from '../../../test/support/contract.js';
import { users } from '../../core/table.js';
import { events } from '../../events/table.js';
import { FlowClient } from '../../flows/testing.js';
import { invitations } from './table.js';

describe('stages/invitation', () => {
  let t: TestApp;
  const client = () => new FlowClient(t.app, checkResponse);
  let flowPk: string;
  let otherFlowPk: string;

  async function flowOf(slug: string, stages: [string, Record<string, unknown>][]): Promise<string> {
    const flow = await t.api('POST', '/flows/instances/', { body: { name: slug, slug, title: slug, designation: 'enrollment', authentication: 'require_unauthenticated' } });
    assert.equal(flow.status, 201, JSON.stringify(flow.body));
    for (const [index, [path, body]] of stages.entries()) {
      const stage = await t.api('POST', `/stages/${path}/`, { body: { name: `${slug}-${index}`, ...body } });
      assert.equal(stage.status, 201, JSON.stringify(stage.body));
      const bound = await t.api('POST', '/flows/bindings/', { body: { target: flow.body.pk, stage: stage.body.pk, order: index * 10 } });
      assert.equal(bound.status, 201, JSON.stringify(bound.body));
    }
    return flow.body.pk;
  }

  async function invite(body: Record<string, unknown>) {
    const created = await t.api('POST', '/stages/invitation/invitations/', { body });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    return created.body;
  }

  before(async () => {
    t = await startTestApp();
    const fields = [];
    for (const [name, type, order] of [['username', 'username', 0], ['email', 'email', 1], ['password', 'password', 2], ['password_repeat', 'password', 3]] as const) {
      const prompt = await t.api('POST', '/stages/prompt/prompts/', { body: { name: `invite-${name}`, field_key: name, label: name, type, order } });
      fields.push(prompt.body.pk);
    }
    flowPk = await flowOf('invited', [
      ['invitation/stages', { continue_flow_without_invitation: false }],
      ['prompt/stages', { fields }],
      ['user_write', { user_creation_mode: 'always_create' }],
      ['user_login', {}],
    ]);
    otherFlowPk = await flowOf('open-enrollment', [
      ['invitation/stages', { continue_flow_without_invitation: true }],
      ['prompt/stages', { fields: [fields[0]] }],
    ]);
  });
  after(() => t.close());

  it('manages invitations and invitation stages through the API', async () => {
    const created = await invite({ name: 'api-invite', fixed_data: { email: 'fixed@example.test' }, single_use: true, flow: flowPk });
    assert.equal(created.created_by.username, 'akadmin');
    assert.equal(created.flow_obj.slug, 'invited');
    assert.equal(created.single_use, true);
    const expires = new Date(created.expires).getTime() - Date.now();
    assert.ok(expires > 25 * 60_000 && expires <= 30 * 60_000, 'invitations expire after 30 minutes unless told');
    const withoutFlow = await invite({ name: 'no-flow', expires: '2030-01-01T00:00:00Z' });
    assert.equal(withoutFlow.flow, null);
    assert.equal(withoutFlow.expires, '2030-01-01T00:00:00.000Z');
    assert.deepEqual(withoutFlow.fixed_data, {});

    const badName = await t.api('POST', '/stages/invitation/invitations/', { body: { name: 'not a slug' } });
    assert.equal(badName.status, 400);
    assert.ok(badName.body.name);
    const badFlow = await t.api('POST', '/stages/invitation/invitations/', { body: { name: 'bad-flow', flow: '00000000-0000-4000-8000-000000000000' } });
    assert.equal(badFlow.status, 400);
    assert.ok(badFlow.body.flow);

    const list = await t.api('GET', '/stages/invitation/invitations/');
    assert.deepEqual(list.body.results.map((i: { name: string }) => i.name), ['no-flow', 'api-invite'], 'newest expiry first');
    const bySlug = await t.api('GET', '/stages/invitation/invitations/?flow__slug=invited');
    assert.deepEqual(bySlug.body.results.map((i: { name: string }) => i.name), ['api-invite']);
    const byCreator = await t.api('GET', '/stages/invitation/invitations/?created_by__username=akadmin&search=no-flow');
    assert.deepEqual(byCreator.body.results.map((i: { name: string }) => i.name), ['no-flow']);
    const patched = await t.api('PATCH', `/stages/invitation/invitations/${created.pk}/`, { body: { single_use: false } });
    assert.equal(patched.body.single_use, false);
    assert.equal(patched.body.created_by.username, 'akadmin');

    const stages = await t.api('GET', '/stages/invitation/stages/?continue_flow_without_invitation=true');
    assert.deepEqual(stages.body.results.map((s: { name: string }) => s.name), ['open-enrollment-0']);
    const unbound = await t.api('POST', '/stages/invitation/stages/', { body: { name: 'unbound-invitation' } });
    assert.equal(unbound.body.continue_flow_without_invitation, false);
    const noFlows = await t.api('GET', '/stages/invitation/stages/?no_flows=true');
    assert.deepEqual(noFlows.body.results.map((s: { name: string }) => s.name), ['unbound-invitation']);
    const withFlows = await t.api('GET', '/stages/invitation/stages/?no_flows=false');
    assert.deepEqual(withFlows.body.results.map((s: { name: string }) => s.name), ['invited-0', 'open-enrollment-0']);

    for (const pk of [created.pk, withoutFlow.pk]) assert.equal((await t.api('DELETE', `/stages/invitation/invitations/${pk}/`)).status, 204);
  });

  it('enrolls with an invitation: fixed data prefills the prompts, and a single-use invitation is gone once used', async () => {
    const invitation = await invite({
      name: 'welcome', single_use: true, flow: flowPk, fixed_data: { email: 'invited@example.test', attributes: { department: 'R&D' } },
    });
    const c = client();
    const prompt = await c.get('invited', `itoken=${invitation.pk}&next=/if/user/`);
    assert.equal(prompt.body.component, 'ak-stage-prompt', JSON.stringify(prompt.body));
    const email = prompt.body.fields.find((f: { field_key: string }) => f.field_key === 'email');
    assert.equal(email.initial_value, 'invited@example.test');
    assert.equal(await t.services.db.$count(invitations, eq(invitations.inviteUuid, invitation.pk)), 0, 'a single-use invitation is deleted once used');
    const used = await t.services.db.select().from(events).where(eq(events.action, 'invitation_used'));
    assert.deepEqual(used.map((e) => (e.context as { invitation_uuid: string }).invitation_uuid), [invitation.pk.replace(/-/g, '')]);

    const done = await c.post('invited', { username: 'invitee', password: 'pw-pw-pw', password_repeat: 'pw-pw-pw' }, `itoken=${invitation.pk}&next=/if/user/`);
    assert.equal(done.body.component, 'xak-flow-redirect', JSON.stringify(done.body));
    const me = await c.api('GET', '/core/users/me/');
    assert.equal(me.body.user.username, 'invitee');
    const [user] = await t.services.db.select().from(users).where(eq(users.username, 'invitee'));
    assert.equal(user.email, 'invited@example.test', 'the fixed email is kept when the prompt is left out');
    assert.deepEqual(user.attributes, { department: 'R&D' });

    const again = await client().get('invited', `itoken=${invitation.pk}`);
    assert.equal(again.body.component, 'ak-stage-access-denied');
    assert.equal(again.body.error_message, 'Invalid invite/invite not found');
  });

  it('refuses flows without, with unknown, expired or other flows\' invitations unless the stage continues without', async () => {
    const refused = async (query: string) => {
      const response = await client().get('invited', query);
      assert.equal(response.body.component, 'ak-stage-access-denied', query);
      assert.equal(response.body.error_message, 'Invalid invite/invite not found');
    };
    await refused('');
    await refused('itoken=not-a-uuid');
    await refused('itoken=00000000-0000-4000-8000-000000000000');
    const expired = await invite({ name: 'expired', flow: flowPk, expires: new Date(Date.now() - 60_000).toISOString() });
    await refused(`itoken=${expired.pk}`);
    assert.equal(await t.services.db.$count(invitations, eq(invitations.inviteUuid, expired.pk)), 0, 'expired invitations are deleted when looked up');
    const elsewhere = await invite({ name: 'elsewhere', flow: otherFlowPk });
    await refused(`itoken=${elsewhere.pk}`);

    const open = await client().get('open-enrollment');
    assert.equal(open.body.component, 'ak-stage-prompt', 'continue_flow_without_invitation goes on without one');
    const anyFlow = await invite({ name: 'any-flow', fixed_data: { username: 'from-invite' } });
    const reusable = client();
    const prefilled = await reusable.get('open-enrollment', `token=${anyFlow.pk}`);
    assert.equal(prefilled.body.fields[0].initial_value, 'from-invite');
    assert.equal(await t.services.db.$count(invitations, eq(invitations.inviteUuid, anyFlow.pk)), 1, 'an invitation that is not single use stays');
  });
});
