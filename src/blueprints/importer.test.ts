import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { count, eq } from 'drizzle-orm';
import { startTestApp, type TestApp } from '../../test/support/app.js';
import { applications, groups, users } from '../core/table.js';
import { hashPassword, verifyPassword } from '../core/passwords.js';
import { applyBlueprint } from './importer.js';
import { metaApplier } from './instances.js';
import { loadBlueprint } from './loader.js';
import { blueprintInstances } from './table.js';

describe('blueprints/importer', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp();
  });
  after(() => t.close());

  const apply = (text: string) => applyBlueprint(t.services, loadBlueprint(text), { meta: metaApplier(t.services, []) });
  const group = async (name: string) => (await t.services.db.select().from(groups).where(eq(groups.name, name)))[0];
  const user = async (username: string) => (await t.services.db.select().from(users).where(eq(users.username, username)))[0];
  const totals = async () => ({
    groups: (await t.services.db.select({ n: count() }).from(groups))[0].n,
    users: (await t.services.db.select({ n: count() }).from(users))[0].n,
  });

  it('present creates, then updates only the attrs it names', async () => {
    const first = await apply(`version: 1
entries:
  - model: authentik_core.group
    identifiers: {name: present-group}
    attrs: {is_superuser: false, attributes: {a: 1}}
`);
    assert.deepEqual(first.entries.map((e) => e.action), ['created']);
    assert.deepEqual(first.models, ['authentik_core.group']);
    const created = await group('present-group');
    await t.services.db.update(groups).set({ isSuperuser: true }).where(eq(groups.groupUuid, created.groupUuid));
    const second = await apply(`version: 1
entries:
  - model: authentik_core.group
    identifiers: {name: present-group}
    attrs: {attributes: {a: 2}}
`);
    assert.deepEqual(second.entries.map((e) => e.action), ['updated']);
    const updated = await group('present-group');
    assert.equal(updated.groupUuid, created.groupUuid);
    assert.deepEqual(updated.attributes, { a: 2 });
    assert.equal(updated.isSuperuser, true, 'fields not in attrs keep manual changes');
  });

  it('created never updates, must_created refuses an existing object, absent deletes', async () => {
    await apply('version: 1\nentries:\n  - {model: authentik_core.group, identifiers: {name: state-group}, attrs: {attributes: {v: 1}}}\n');
    const created = await apply('version: 1\nentries:\n  - {model: authentik_core.group, state: created, identifiers: {name: state-group}, attrs: {attributes: {v: 2}}}\n');
    assert.deepEqual(created.entries.map((e) => e.action), ['unchanged']);
    assert.deepEqual((await group('state-group')).attributes, { v: 1 });

    const must = await apply('version: 1\nentries:\n  - {model: authentik_core.group, state: must_created, identifiers: {name: state-group}}\n');
    assert.equal(must.ok, false);
    assert.deepEqual(must.problems.map((p) => [p.entry, p.path]), [[0, 'state']]);
    assert.match(must.problems[0].message, /must_created and object exists already/);

    const absent = await apply(`version: 1
entries:
  - {model: authentik_core.group, state: absent, identifiers: {name: state-group}}
  - {model: authentik_core.group, state: absent, identifiers: {name: never-existed}}
`);
    assert.deepEqual(absent.entries.map((e) => e.action), ['deleted', 'skipped']);
    assert.equal(await group('state-group'), undefined);

    const bad = await apply('version: 1\nentries:\n  - {model: authentik_core.group, state: maybe, identifiers: {name: x}}\n');
    assert.match(bad.problems[0].message, /invalid state "maybe"/);
  });

  it('applying twice changes nothing the second time', async () => {
    const blueprint = `version: 1
entries:
  - model: authentik_core.group
    id: team
    identifiers: {name: idempotent-team}
    attrs: {attributes: {team: true}}
  - model: authentik_core.user
    identifiers: {username: idempotent-user}
    attrs:
      name: Idem Potent
      email: idem@example.test
      password: a-long-password
      groups: [!KeyOf team]
      attributes: {settings: {locale: en}}
`;
    const first = await apply(blueprint);
    assert.deepEqual(first.problems, []);
    assert.deepEqual(first.entries.map((e) => e.action), ['created', 'created']);
    const before = await totals();
    const stored = await user('idempotent-user');
    const second = await apply(blueprint);
    assert.deepEqual(second.entries.map((e) => e.action), ['unchanged', 'unchanged']);
    assert.deepEqual(await totals(), before);
    assert.deepEqual(await user('idempotent-user'), stored);
  });

  it('an invalid blueprint changes nothing and reports every problem with its entry and path', async () => {
    const before = await totals();
    const result = await apply(`version: 1
entries:
  - model: authentik_core.group
    identifiers: {name: would-be-created}
  - model: authentik_core.user
    identifiers: {username: broken-user}
    attrs: {is_active: maybe, path: /leading-slash}
  - model: authentik_flows.NoSuchModel
    identifiers: {slug: x}
  - model: authentik_core.group
    identifiers: {name: other}
    attrs: {parent: !KeyOf missing-id}
  - model: authentik_core.group
    identifiers: {attributes: {marker: dup}}
    attrs: {name: would-be-created}
  - model: authentik_core.group
    identifiers: {}
  - model: authentik_core.group
    identifiers: {no_such_field: 1}
`);
    assert.equal(result.ok, false);
    const problems = result.problems.map((p) => `${p.entry} ${p.path} ${p.message}`);
    assert.deepEqual(problems, [
      '1 attrs.name This field is required.',
      '1 attrs.is_active Must be a valid boolean.',
      '2 model model authentik_flows.NoSuchModel is not supported by authentik-ts',
      '3 attrs.parent KeyOf: failed to find entry with `id` of `missing-id` and a model instance',
      '4 attrs.name Group with this name already exists.',
      '5 identifiers No or invalid identifiers',
      "6 identifiers Invalid identifier field: Cannot resolve keyword 'no_such_field' into field of authentik_core.group.",
    ]);
    assert.deepEqual(await totals(), before);
    assert.equal(await group('would-be-created'), undefined);
  });

  it('reports model validation beyond the schema (user path) under attrs', async () => {
    const result = await apply('version: 1\nentries:\n  - {model: authentik_core.user, identifiers: {username: pathy}, attrs: {name: P, path: /bad/}}\n');
    assert.deepEqual(result.problems.map((p) => [p.entry, p.path, p.message]), [
      [0, 'attrs.path', 'No leading or trailing slashes allowed.'],
      [0, 'attrs.path', 'No empty segments in user path allowed.'],
    ]);
  });

  it('sets user passwords from password or password_hash, never both, and checks the hash', async () => {
    const hash = await hashPassword('from-a-hash', 1000);
    const ok = await apply(`version: 1
entries:
  - {model: authentik_core.user, identifiers: {username: pw-plain}, attrs: {name: Plain, password: plain-secret}}
  - {model: authentik_core.user, identifiers: {username: pw-hash}, attrs: {name: Hashed, password_hash: '${hash}'}}
`);
    assert.deepEqual(ok.problems, []);
    assert.equal(await verifyPassword('plain-secret', (await user('pw-plain')).password), true);
    assert.equal((await user('pw-hash')).password, hash);

    const both = await apply(`version: 1
entries:
  - {model: authentik_core.user, identifiers: {username: pw-both}, attrs: {name: Both, password: x, password_hash: '${hash}'}}
  - {model: authentik_core.user, identifiers: {username: pw-bad}, attrs: {name: Bad, password_hash: not-a-hash}}
`);
    assert.deepEqual(both.problems.map((p) => [p.entry, p.path]), [[0, 'attrs.password'], [0, 'attrs.password_hash'], [1, 'attrs.password_hash']]);
    assert.match(both.problems[2].message, /valid Django password hash/);
    assert.equal(await user('pw-both'), undefined);
  });

  it('sets a token key (blueprint only) that then authenticates API calls', async () => {
    const result = await apply(`version: 1
entries:
  - {model: authentik_core.user, id: owner, identifiers: {username: token-owner}, attrs: {name: Token Owner}}
  - model: authentik_core.token
    state: present
    identifiers: {identifier: my-token}
    attrs: {key: this-should-be-a-long-value-0123456789, user: !KeyOf owner, intent: api, expiring: false}
  - {model: authentik_core.token, identifiers: {identifier: no-user}, attrs: {intent: api}}
`);
    assert.deepEqual(result.problems.map((p) => [p.entry, p.path, p.message]), [[2, 'attrs', 'Missing user']]);
    const fixed = await apply(`version: 1
entries:
  - {model: authentik_core.user, id: owner, identifiers: {username: token-owner}, attrs: {name: Token Owner}}
  - model: authentik_core.token
    identifiers: {identifier: my-token}
    attrs: {key: this-should-be-a-long-value-0123456789, user: !KeyOf owner, intent: api, expiring: false}
`);
    assert.deepEqual(fixed.problems, []);
    const me = await t.api('GET', '/core/users/me/', { token: 'this-should-be-a-long-value-0123456789' });
    assert.equal(me.status, 200);
    assert.equal(me.body.user.username, 'token-owner');
  });

  it('matches mapping identifiers by JSON containment and merges identifiers into attrs', async () => {
    await apply(`version: 1
entries:
  - {model: authentik_core.group, identifiers: {name: dict-1}, attrs: {attributes: {key: [value], other_key: [a_value, other_value]}}}
  - {model: authentik_core.group, identifiers: {name: dict-2}, attrs: {attributes: {key: [value], other_key: [diff_value]}}}
`);
    const result = await apply(`version: 1
entries:
  - model: authentik_core.group
    identifiers: {attributes: {other_key: [other_value]}}
    attrs: {name: dict-999, attributes: {key: [updated_value]}}
`);
    assert.deepEqual(result.entries.map((e) => e.action), ['updated']);
    assert.equal(await group('dict-1'), undefined);
    assert.deepEqual((await group('dict-999')).attributes, { key: ['updated_value'], other_key: ['other_value'] });
    assert.deepEqual((await group('dict-2')).attributes, { key: ['value'], other_key: ['diff_value'] });
  });

  it('creates an object with the primary key an exported blueprint names', async () => {
    const pk = '2c3a7a7e-9a59-4d5e-9d2e-1d0c3f8b5a11';
    const result = await apply(`version: 1
entries:
  - {model: authentik_core.group, identifiers: {pk: ${pk}}, attrs: {name: with-pk}}
  - {model: authentik_core.group, identifiers: {name: child-of-pk}, attrs: {parent: ${pk}}}
`);
    assert.deepEqual(result.problems, []);
    assert.equal((await group('with-pk')).groupUuid, pk);
    assert.equal((await group('child-of-pk')).parentId, pk);
  });

  it('converts loosely typed YAML scalars as DRF does', async () => {
    const result = await apply('version: 1\nentries:\n  - {model: authentik_core.user, identifiers: {username: 2023}, attrs: {name: 42, is_active: "false"}}\n');
    assert.deepEqual(result.problems, []);
    const created = await user('2023');
    assert.equal(created.name, '42');
    assert.equal(created.isActive, false);
  });

  it('checks object permissions and reports that they are not applied yet', async () => {
    const result = await apply(`version: 1
entries:
  - model: authentik_core.group
    identifiers: {name: with-permissions}
    permissions:
      - permission: view_group
        user: !Find [authentik_core.user, [username, akadmin]]
  - model: authentik_core.user
    identifiers: {username: with-global-permissions}
    attrs: {name: G, permissions: [authentik_blueprints.view_blueprintinstance]}
`);
    assert.equal(result.ok, true);
    assert.equal(result.warnings.length, 2);
    assert.match(result.warnings.join('\n'), /no RBAC yet/);
  });

  it('applies other blueprints through metaapplyblueprint, inside the same transaction', async () => {
    await t.services.db.insert(blueprintInstances).values({
      name: 'dependency',
      content: 'version: 1\nentries:\n  - {model: authentik_core.group, identifiers: {name: from-dependency}}\n',
    });
    const result = await apply(`version: 1
entries:
  - model: authentik_blueprints.metaapplyblueprint
    attrs: {identifiers: {name: dependency}, required: true}
  - model: authentik_core.group
    identifiers: {name: uses-dependency}
    attrs: {parent: !Find [authentik_core.group, [name, from-dependency]]}
  - model: authentik_blueprints.metaapplyblueprint
    attrs: {identifiers: {name: not-there}, required: false}
`);
    assert.deepEqual(result.problems, []);
    assert.deepEqual(result.entries.map((e) => e.action), ['applied', 'created', 'skipped']);
    assert.equal((await group('uses-dependency')).parentId, (await group('from-dependency')).groupUuid);
    const [instance] = await t.services.db.select().from(blueprintInstances).where(eq(blueprintInstances.name, 'dependency'));
    assert.equal(instance.status, 'successful');

    const missing = await apply('version: 1\nentries:\n  - {model: authentik_blueprints.metaapplyblueprint, attrs: {identifiers: {name: not-there}}}\n');
    assert.deepEqual(missing.problems.map((p) => [p.entry, p.path, p.message]), [[0, 'attrs.identifiers', 'Required blueprint does not exist']]);

    // A failing blueprint applied from a meta entry fails alone, as authentik's apply task does.
    await t.services.db.insert(blueprintInstances).values({
      name: 'failing dependency',
      content: 'version: 1\nentries:\n  - {model: authentik_core.group, identifiers: {name: half-made}}\n  - {model: authentik_nope.nope, identifiers: {a: 1}}\n',
    });
    const outer = await apply(`version: 1
entries:
  - model: authentik_blueprints.metaapplyblueprint
    attrs: {identifiers: {name: failing dependency}}
  - {model: authentik_core.group, identifiers: {name: after-failed-dependency}}
`);
    assert.deepEqual(outer.problems, []);
    assert.deepEqual(outer.entries.map((e) => e.action), ['skipped', 'created']);
    assert.match(outer.warnings.join('\n'), /blueprint "failing dependency" failed: entry 1 model: model authentik_nope\.nope is not supported/);
    assert.ok(await group('after-failed-dependency'));
    assert.equal(await group('half-made'), undefined, 'the failed blueprint changed nothing');
    const [failed] = await t.services.db.select().from(blueprintInstances).where(eq(blueprintInstances.name, 'failing dependency'));
    assert.equal(failed.status, 'error');
  });

  it('writes subtypes over their base table and binds policies, idempotently', async () => {
    const [app] = await t.services.db.insert(applications).values({ name: 'Bound app', slug: 'bound-app' }).returning();
    const blueprint = `version: 1
context: {app: ${app.pbmUuid}}
entries:
  - model: authentik_policies_dummy.dummypolicy
    id: policy
    identifiers: {name: blueprint-dummy}
    attrs: {result: true, wait_min: 0, wait_max: 1}
  - model: authentik_policies.policybinding
    identifiers: {target: !Context app, order: 0}
    attrs: {policy: !KeyOf policy, timeout: 5}
`;
    const first = await apply(blueprint);
    assert.deepEqual(first.problems, []);
    assert.deepEqual(first.entries.map((e) => e.action), ['created', 'created']);
    const policy = await t.api('GET', '/policies/dummy/?name=blueprint-dummy');
    assert.equal(policy.body.results[0].result, true);
    const bindings = await t.api('GET', `/policies/bindings/?target=${app.pbmUuid}`);
    assert.equal(bindings.body.results[0].policy, policy.body.results[0].pk);
    assert.equal(bindings.body.results[0].timeout, 5);
    const second = await apply(blueprint);
    assert.deepEqual(second.entries.map((e) => e.action), ['unchanged', 'unchanged']);

    const base = await apply('version: 1\nentries:\n  - {model: authentik_policies.policy, identifiers: {name: x}}\n');
    assert.deepEqual(base.problems.map((p) => [p.path, p.message]), [['model', 'Model authentik_policies.policy not allowed']]);
  });

  it('skips entries whose conditions are not all true', async () => {
    const result = await apply(`version: 1
context: {enabled: false}
entries:
  - {model: authentik_core.group, identifiers: {name: conditional}, conditions: [true, !Context enabled]}
`);
    assert.deepEqual(result.entries.map((e) => e.action), ['skipped']);
    assert.equal(await group('conditional'), undefined);
  });
});
