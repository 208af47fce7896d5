import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { startTestApp, type TestApp } from '../../test/support/app.js';
import { groups } from '../core/table.js';
import { blueprintsIdle } from './instances.js';
import { blueprintInstances } from './table.js';

const GROUP_BLUEPRINT = (name: string) => `version: 1
metadata:
  name: ${name} blueprint
  labels:
    blueprints.goauthentik.io/description: creates ${name}
entries:
  - model: authentik_core.group
    identifiers: {name: ${name}}
    attrs: {attributes: {from: blueprint}}
`;

describe('blueprints/instances API', () => {
  let t: TestApp;
  let dir: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ak-bp-api-'));
    mkdirSync(join(dir, 'custom'));
    writeFileSync(join(dir, 'custom', 'file-group.yaml'), GROUP_BLUEPRINT('file-group'));
    writeFileSync(join(dir, 'plain.yaml'), 'version: 1\nentries: []\n');
    t = await startTestApp((config) => {
      config.blueprints_dir = dir;
    });
  });
  after(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const group = async (name: string) => (await t.services.db.select().from(groups).where(eq(groups.name, name)))[0];

  it('lists the available files with their metadata and hash', async () => {
    const res = await t.api('GET', '/managed/blueprints/available/');
    assert.equal(res.status, 200);
    const byPath = new Map(res.body.map((file: { path: string }) => [file.path, file]));
    assert.deepEqual([...byPath.keys()].sort(), ['custom/file-group.yaml', 'plain.yaml']);
    const file = byPath.get('custom/file-group.yaml') as { meta: unknown; hash: string };
    assert.deepEqual(file.meta, { name: 'file-group blueprint', labels: { 'blueprints.goauthentik.io/description': 'creates file-group' } });
    assert.match(file.hash, /^[0-9a-f]{128}$/);
  });

  it('refuses an instance without path or content, with a missing file, or with an invalid blueprint', async () => {
    const neither = await t.api('POST', '/managed/blueprints/', { body: { name: 'empty' } });
    assert.equal(neither.status, 400);
    assert.deepEqual(neither.body, { non_field_errors: ['Either path or content must be set.'] });

    const missing = await t.api('POST', '/managed/blueprints/', { body: { name: 'missing', path: 'nope.yaml' } });
    assert.equal(missing.status, 400);
    assert.deepEqual(missing.body, { path: ['Blueprint file does not exist'] });

    const invalid = await t.api('POST', '/managed/blueprints/', {
      body: { name: 'invalid', content: 'version: 1\nentries:\n  - {model: authentik_core.group, identifiers: {name: never}}\n  - {model: authentik_core.user, identifiers: {username: u}}\n' },
    });
    assert.equal(invalid.status, 400);
    assert.deepEqual(invalid.body, { content: ['Failed to validate blueprint', '- entry 1, authentik_core.user: attrs.name: This field is required.'] });
    assert.equal(await group('never'), undefined, 'validation rolled back what it applied');
    assert.equal((await t.api('GET', '/managed/blueprints/?name=invalid')).body.pagination.count, 0);
  });

  it('creates an inline instance, applies it after saving and records the outcome', async () => {
    const created = await t.api('POST', '/managed/blueprints/', { body: { name: 'inline', content: GROUP_BLUEPRINT('inline-group'), context: { a: 1 } } });
    assert.equal(created.status, 201);
    assert.equal(created.body.status, 'unknown');
    await blueprintsIdle(t.services);
    const res = await t.api('GET', `/managed/blueprints/${created.body.pk}/`);
    assert.equal(res.body.status, 'successful');
    assert.match(res.body.last_applied_hash, /^[0-9a-f]{128}$/);
    assert.deepEqual(res.body.managed_models, ['authentik_core.group']);
    assert.deepEqual(res.body.metadata, { name: 'inline-group blueprint', labels: { 'blueprints.goauthentik.io/description': 'creates inline-group' } });
    assert.deepEqual(res.body.context, { a: 1 });
    assert.deepEqual((await group('inline-group')).attributes, { from: 'blueprint' });
  });

  it('applies a file instance on demand, filters, searches, updates and deletes', async () => {
    const created = await t.api('POST', '/managed/blueprints/', { body: { name: 'from-file', path: 'custom/file-group.yaml', enabled: false } });
    assert.equal(created.status, 201);
    await blueprintsIdle(t.services);
    assert.equal(await group('file-group'), undefined, 'a disabled instance is not applied');

    const enabled = await t.api('PATCH', `/managed/blueprints/${created.body.pk}/`, { body: { enabled: true } });
    assert.equal(enabled.status, 200);
    await blueprintsIdle(t.services);
    assert.ok(await group('file-group'));

    await t.services.db.delete(groups).where(eq(groups.name, 'file-group'));
    const applied = await t.api('POST', `/managed/blueprints/${created.body.pk}/apply/`);
    assert.equal(applied.status, 200);
    assert.equal(applied.body.status, 'successful');
    assert.ok(await group('file-group'));

    assert.deepEqual((await t.api('GET', '/managed/blueprints/?path=custom/file-group.yaml')).body.results.map((r: { name: string }) => r.name), ['from-file']);
    assert.deepEqual((await t.api('GET', '/managed/blueprints/?search=file-gr')).body.results.map((r: { name: string }) => r.name), ['from-file']);
    assert.deepEqual((await t.api('GET', `/managed/blueprints/${created.body.pk}/used_by/`)).body, []);

    const renamed = await t.api('PUT', `/managed/blueprints/${created.body.pk}/`, { body: { name: 'renamed', path: 'custom/file-group.yaml' } });
    assert.equal(renamed.body.name, 'renamed');
    assert.equal((await t.api('DELETE', `/managed/blueprints/${created.body.pk}/`)).status, 204);
    assert.equal((await t.api('GET', `/managed/blueprints/${created.body.pk}/`)).status, 404);
    assert.ok(await group('file-group'), 'deleting an instance keeps its objects');
  });

  it('records a failed apply as an error status', async () => {
    const created = await t.api('POST', '/managed/blueprints/', { body: { name: 'later-broken', content: GROUP_BLUEPRINT('later-broken'), enabled: false } });
    // Stored content is validated on save; a blueprint can still break later (a model goes away, a file changes).
    await t.services.db.update(blueprintInstances).set({ content: 'version: 1\nentries:\n  - {model: authentik_nope.nope, identifiers: {a: 1}}\n' })
      .where(eq(blueprintInstances.instanceUuid, created.body.pk));
    await t.api('PATCH', `/managed/blueprints/${created.body.pk}/`, { body: { enabled: true } });
    const applied = await t.api('POST', `/managed/blueprints/${created.body.pk}/apply/`);
    assert.equal(applied.body.status, 'error');
    assert.equal(applied.body.last_applied_hash, '');
  });

  it('is for superusers only', async () => {
    const res = await t.api('GET', '/managed/blueprints/', { token: null });
    assert.equal(res.status, 403);
  });
});
