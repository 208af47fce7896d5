import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { eq, inArray } from 'drizzle-orm';
import { startTestApp, type TestApp } from '../../test/support/app.js';
import { groups, userGroups, users } from '../core/table.js';
import { dumpBlueprint, exportInstall } from './exporter.js';
import { applyBlueprint } from './importer.js';
import { loadBlueprint } from './loader.js';

describe('blueprints/exporter', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp();
  });
  after(() => t.close());

  // Generated columns the API cannot write (`num_pk`, a user's `uuid`, dates) are new after a re-import, as in authentik.
  const snapshot = async () => ({
    groups: (await t.services.db.select().from(groups).orderBy(groups.name)).map(({ numPk: _n, ...rest }) => rest),
    users: (await t.services.db.select().from(users).orderBy(users.username))
      .map(({ passwordChangeDate: _p, password: _pw, dateJoined: _d, uuid: _u, ...rest }) => rest),
    memberships: await t.services.db.select().from(userGroups).orderBy(userGroups.userId, userGroups.groupId),
  });

  it('exports the install as YAML that re-imports to the same objects', async () => {
    const seeded = await applyBlueprint(t.services, loadBlueprint(`version: 1
entries:
  - {model: authentik_core.group, id: parent, identifiers: {name: export-parent}, attrs: {attributes: {level: 1}}}
  - {model: authentik_core.group, id: child, identifiers: {name: export-child}, attrs: {parent: !KeyOf parent, is_superuser: true}}
  - model: authentik_core.user
    identifiers: {username: export-user}
    attrs: {name: Export User, email: export@example.test, is_active: false, path: users/export, groups: [!KeyOf child, !KeyOf parent], attributes: {a: [1, 2]}}
`));
    assert.deepEqual(seeded.problems, []);
    const before = await snapshot();
    const yaml = dumpBlueprint(await exportInstall(t.services));
    assert.match(yaml, /model: authentik_core\.group/);
    assert.doesNotMatch(yaml, /&a\d|\*a\d/, 'no YAML anchors');

    const again = await applyBlueprint(t.services, loadBlueprint(yaml));
    assert.deepEqual(again.problems, []);
    assert.ok(again.entries.every((e) => e.action === 'unchanged'), JSON.stringify(again.entries.filter((e) => e.action !== 'unchanged')));

    const names = ['export-parent', 'export-child'];
    await t.services.db.delete(users).where(eq(users.username, 'export-user'));
    await t.services.db.delete(groups).where(inArray(groups.name, names));
    const restored = await applyBlueprint(t.services, loadBlueprint(yaml));
    assert.deepEqual(restored.problems, []);
    assert.deepEqual(await snapshot(), before);
  });
});
