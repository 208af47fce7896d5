import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { startTestApp, type TestApp } from '../../test/support/app.js';
import { groups } from '../core/table.js';
import { applyBlueprint } from './importer.js';
import { loadBlueprint } from './loader.js';
import { BlueprintInvalidError } from './errors.js';

const TAGS = readFileSync(new URL('./testdata/tags.yaml', import.meta.url), 'utf8');

describe('blueprints/tags', () => {
  let t: TestApp;
  let dir: string;
  before(async () => {
    t = await startTestApp();
    dir = mkdtempSync(join(tmpdir(), 'ak-tags-'));
  });
  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    await t.close();
  });

  const apply = (text: string, context?: Record<string, unknown>) => applyBlueprint(t.services, loadBlueprint(text), { context });
  const group = async (name: string) => (await t.services.db.select().from(groups).where(eq(groups.name, name)))[0];

  it('resolves every tag of a real blueprint', async () => {
    const file = join(dir, 'secret.txt');
    writeFileSync(file, '  file-secret\n');
    process.env.BLUEPRINT_TEST_ENV = 'env-value';
    const result = await apply(TAGS.replace('BLUEPRINT_TEST_FILE', file), { bar: 'baz' });
    assert.deepEqual(result.problems, []);
    assert.equal(result.ok, true);
    assert.deepEqual(result.entries.map((e) => e.action), ['created', 'created', 'skipped']);

    const target = await group('foo-bar-baz-qux');
    const test = await group('test');
    assert.ok(target && test);
    assert.equal(test.parentId, target.groupUuid);
    assert.equal(await group('skipped-by-condition'), undefined);
    assert.deepEqual(test.attributes, {
      env_null: null,
      env_value: 'env-value',
      env_default: 'fallback',
      file_content: 'file-secret',
      file_default: 'default',
      file_non_existent: null,
      json_parse: { foo: 'bar' },
      pk1: `${target.groupUuid}-suffix`,
      pk2: `${target.groupUuid}-suffix`,
      find_missing: null,
      find_object: { kind: 'target' },
      boolAnd: true,
      boolNand: false,
      boolOr: true,
      boolNor: false,
      boolXor: true,
      boolXnor: false,
      boolComplex: true,
      if_true_complex: { dictionary: { with: { keys: 'and_values' }, and_nested_custom_tags: 'foo-bar' } },
      if_false_complex: ['list', 'with', 'items', 'foo-bar'],
      if_true_simple: true,
      if_short: true,
      if_false_simple: 2,
      enumerate_mapping_to_mapping: { 'prefix-key1': 'other-prefix-value', 'prefix-key2': 'other-prefix-2' },
      enumerate_mapping_to_sequence: ['prefixed-pair-key1-value', 'prefixed-pair-key2-2'],
      enumerate_sequence_to_sequence: ['prefixed-items-0-foo', 'prefixed-items-1-bar'],
      enumerate_sequence_to_mapping: { 'index: 0': 'foo', 'index: 1': 'bar' },
      nested_complex_enumeration: {
        0: {
          key1: [['prefixed-f', 'prefixed-o', 'prefixed-o'], { outer_value: 'foo', outer_index: 0, middle_value: 'value', middle_index: 'key1' }],
          key2: [['prefixed-f', 'prefixed-o', 'prefixed-o'], { outer_value: 'foo', outer_index: 0, middle_value: 2, middle_index: 'key2' }],
        },
        1: {
          key1: [['prefixed-b', 'prefixed-a', 'prefixed-r'], { outer_value: 'bar', outer_index: 1, middle_value: 'value', middle_index: 'key1' }],
          key2: [['prefixed-b', 'prefixed-a', 'prefixed-r'], { outer_value: 'bar', outer_index: 1, middle_value: 2, middle_index: 'key2' }],
        },
      },
      nested_context: 'context-nested-value',
      dotted_context: 'deep-value',
      context_default: 'default-value',
      at_index_sequence: 'foo',
      at_index_sequence_default: 'non existent',
      at_index_mapping: 2,
      at_index_mapping_default: 'non existent',
    });
  });

  it('refuses unknown tags and tags on the wrong kind of node when loading', () => {
    assert.throws(() => loadBlueprint('version: 1\nentries:\n  - model: !Nope authentik_core.group\n'), (err: BlueprintInvalidError) => {
      assert.match(err.problems[0].message, /Unresolved tag: !Nope/);
      return true;
    });
    assert.throws(() => loadBlueprint('version: 1\nentries:\n  - model: !Find authentik_core.group\n'), BlueprintInvalidError);
    assert.throws(() => loadBlueprint('version: 2\nentries: []\n'), /Invalid blueprint version/);
  });

  const failures: [string, string, string, RegExp][] = [
    ['KeyOf without such id', 'attrs.parent', 'parent: !KeyOf nowhere', /KeyOf: failed to find entry with `id` of `nowhere`/],
    ['AtIndex out of range', 'attrs.attributes.x', 'attributes: {x: !AtIndex [[a], 3]}', /Index out of range: 3/],
    ['AtIndex missing key', 'attrs.attributes.x', 'attributes: {x: !AtIndex [{a: 1}, b]}', /Key does not exist: b/],
    ['AtIndex bad list index', 'attrs.attributes.x', 'attributes: {x: !AtIndex [[a], b]}', /Invalid index for list: b/],
    ['Index outside Enumerate', 'attrs.attributes.x', 'attributes: {x: !Index 0}', /Index tags are only usable inside an Enumerate tag/],
    ['Value too deep', 'attrs.attributes.x', 'attributes: {x: !Enumerate [[a], SEQ, !Value 3]}', /Value tag: invalid depth: 3/],
    ['Enumerate over itself', 'attrs.attributes.x', 'attributes: {x: !Enumerate [!Value 0, SEQ, a]}', /references this tag's context/],
    ['Enumerate over a number', 'attrs.attributes.x', 'attributes: {x: !Enumerate [3, SEQ, a]}', /iterable must be an iterable/],
    ['Enumerate bad output', 'attrs.attributes.x', 'attributes: {x: !Enumerate [[a], LIST, a]}', /invalid output type/],
    ['Condition bad mode', 'attrs.attributes.x', 'attributes: {x: !Condition [MAYBE, true]}', /invalid mode/],
    ['Condition without values', 'attrs.attributes.x', 'attributes: {x: !Condition [AND]}', /At least one value is required/],
    ['Format argument count', 'attrs.attributes.x', 'attributes: {x: !Format ["%s-%s", a]}', /not enough arguments for format string/],
    ['Format type', 'attrs.attributes.x', 'attributes: {x: !Format ["%d", a]}', /a real number is required, not str/],
    ['ParseJSON invalid', 'attrs.attributes.x', "attributes: {x: !ParseJSON '{nope'}", /ParseJSON/],
    ['Find on an unknown model', 'attrs.attributes.x', 'attributes: {x: !Find [authentik_nope.nope, [name, a]]}', /Find: model authentik_nope.nope is not supported/],
    ['Find on an unknown field', 'attrs.attributes.x', 'attributes: {x: !Find [authentik_core.group, [nope, a]]}', /Cannot resolve keyword 'nope'/],
  ];
  for (const [name, path, attrs, message] of failures) {
    it(`reports ${name} with the entry and path`, async () => {
      const result = await apply(`version: 1\nentries:\n  - model: authentik_core.group\n    id: the-group\n    identifiers: {name: tag-failure}\n    attrs: {${attrs}}\n`);
      assert.equal(result.ok, false);
      assert.equal(result.problems.length, 1, JSON.stringify(result.problems));
      const [problem] = result.problems;
      assert.equal(problem.entry, 0);
      assert.equal(problem.model, 'authentik_core.group');
      assert.equal(problem.id, 'the-group');
      assert.equal(problem.path, path);
      assert.match(problem.message, message);
      assert.equal(await group('tag-failure'), undefined);
    });
  }
});
