import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { startTestApp, type TestApp } from '../../test/support/app.js';
import { groups } from '../core/table.js';
import { discoverBlueprints } from './discovery.js';
import { runDiscovery, startBlueprintDiscovery } from './tasks.js';
import { blueprintInstances } from './table.js';

const group = (name: string, extra = '') => `  - model: authentik_core.group
    identifiers: {name: ${name}}
    attrs: {attributes: {version: 1${extra}}}
`;

describe('blueprints/discovery', () => {
  let t: TestApp;
  let dir: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ak-bp-discovery-'));
    mkdirSync(join(dir, 'default'));
    mkdirSync(join(dir, '.hidden'));
    // `a` needs `b` (through a meta entry naming its path) and sorts before it: discovery applies `b` first.
    writeFileSync(join(dir, 'default', 'a.yaml'), `version: 1
metadata: {name: A}
entries:
  - model: authentik_blueprints.metaapplyblueprint
    attrs: {identifiers: {path: default/b.yaml}}
  - model: authentik_core.group
    identifiers: {name: group-a}
    attrs: {parent: !Find [authentik_core.group, [name, group-b]]}
`);
    writeFileSync(join(dir, 'default', 'b.yaml'), `version: 1\nmetadata: {name: B}\nentries:\n${group('group-b')}`);
    writeFileSync(join(dir, 'example.yaml'), `version: 1
metadata:
  name: Example
  labels: {blueprints.goauthentik.io/instantiate: "false"}
entries:
${group('group-example')}`);
    writeFileSync(join(dir, '.hidden', 'c.yaml'), `version: 1\nentries:\n${group('group-hidden')}`);
    writeFileSync(join(dir, 'broken.yaml'), 'version: 1\nentries: [\n');
    writeFileSync(join(dir, 'failing.yaml'), 'version: 1\nmetadata: {name: Failing}\nentries:\n  - {model: authentik_nope.nope, identifiers: {a: 1}}\n');
    writeFileSync(join(dir, 'notes.txt'), 'not a blueprint');
    t = await startTestApp((config) => {
      config.blueprints_dir = dir;
    });
  });
  after(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const findGroup = async (name: string) => (await t.services.db.select().from(groups).where(eq(groups.name, name)))[0];
  const instances = async () => Object.fromEntries((await t.services.db.select().from(blueprintInstances)).map((i) => [i.path, i]));

  it('instantiates the files of a folder and applies them in dependency order', async () => {
    const summary = await discoverBlueprints(t.services);
    assert.deepEqual(summary.created.sort(), ['default/a.yaml', 'default/b.yaml', 'failing.yaml']);
    assert.deepEqual(summary.applied, ['default/b.yaml', 'default/a.yaml']);
    assert.deepEqual(summary.failed, ['failing.yaml']);
    const byPath = await instances();
    assert.deepEqual(Object.keys(byPath).sort(), ['default/a.yaml', 'default/b.yaml', 'failing.yaml']);
    assert.equal(byPath['default/a.yaml'].name, 'A');
    assert.equal(byPath['default/a.yaml'].status, 'successful');
    assert.equal(byPath['failing.yaml'].status, 'error');
    assert.equal((await findGroup('group-a')).parentId, (await findGroup('group-b')).groupUuid);
    assert.equal(await findGroup('group-example'), undefined, 'instantiate: "false" is only listed');
    assert.equal(await findGroup('group-hidden'), undefined, 'hidden folders are skipped');
  });

  it('re-applies only changed files, retries failed ones only when asked, and forgets files that are gone', async () => {
    const before = await instances();
    const again = await discoverBlueprints(t.services);
    assert.deepEqual([again.applied, again.failed, again.created], [[], [], []], 'nothing changed: nothing is applied, a failed file waits');
    assert.equal(again.files, 4, 'the example file is counted, the broken one is not');
    const after = await instances();
    assert.deepEqual(after['failing.yaml'].lastApplied, before['failing.yaml'].lastApplied);
    assert.notEqual(after['failing.yaml'].failedFingerprint, '');
    const retried = await discoverBlueprints(t.services, { retryFailed: true });
    assert.deepEqual([retried.applied, retried.failed], [[], ['failing.yaml']], 'the periodic check retries it');
    // A server with other models (an upgrade) retries it at once.
    await t.services.db.update(blueprintInstances).set({ failedFingerprint: 'failed on an older server' }).where(eq(blueprintInstances.path, 'failing.yaml'));
    assert.deepEqual((await discoverBlueprints(t.services)).failed, ['failing.yaml']);

    writeFileSync(join(dir, 'default', 'b.yaml'), `version: 1\nmetadata: {name: B}\nentries:\n${group('group-b', ', changed: true')}`);
    rmSync(join(dir, 'failing.yaml'));
    const changed = await discoverBlueprints(t.services);
    assert.deepEqual(changed.applied, ['default/b.yaml']);
    assert.deepEqual(changed.removed, ['failing.yaml']);
    assert.deepEqual((await findGroup('group-b')).attributes, { version: 1, changed: true });
    assert.equal((await instances())['failing.yaml'], undefined);
  });

  it('reports discovery and failed applies as system tasks, retryable from the admin API', async () => {
    writeFileSync(join(dir, 'failing-again.yaml'), 'version: 1\nmetadata: {name: Failing Again}\nentries:\n  - {model: authentik_nope.nope, identifiers: {a: 1}}\n');
    await runDiscovery(t.services, 'test');
    const tasks = await t.api('GET', '/admin/system_tasks/');
    assert.equal(tasks.status, 200);
    const byName = new Map(tasks.body.map((task: { task_name: string }) => [task.task_name, task]));
    const discovery = byName.get('blueprints_discovery') as { status: string; messages: string[] };
    assert.equal(discovery.status, 'WARNING');
    assert.match(discovery.messages.join('\n'), /Failed to apply failing-again\.yaml/);
    const failed = byName.get('apply_blueprint:failing-again') as { status: string; messages: string[] };
    assert.equal(failed.status, 'ERROR');
    assert.match(failed.messages[0], /entry 0, authentik_nope\.nope: model: model authentik_nope\.nope is not supported/);

    writeFileSync(join(dir, 'failing-again.yaml'), `version: 1\nmetadata: {name: Failing Again}\nentries:\n${group('group-fixed')}`);
    const retried = await t.api('POST', '/admin/system_tasks/apply_blueprint:failing-again/retry/');
    assert.equal(retried.status, 204);
    const deadline = Date.now() + 10_000;
    while (!(await findGroup('group-fixed')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.ok(await findGroup('group-fixed'), 'the retry applied the instance again');
  });

  it('watches the folder and applies a new file', async () => {
    const stop = startBlueprintDiscovery(t.services);
    try {
      writeFileSync(join(dir, 'default', 'watched.yaml'), `version: 1\nmetadata: {name: Watched}\nentries:\n${group('group-watched')}`);
      const applied = async () => (await instances())['default/watched.yaml']?.status === 'successful';
      const deadline = Date.now() + 15_000;
      while (!(await applied()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      assert.ok(await applied(), 'the new file was discovered and applied');
      assert.ok(await findGroup('group-watched'));
    } finally {
      await stop();
    }
  });
});
