import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { startTestApp, type TestApp } from '../../test/support/app.js';
import { checkBlueprintFolder } from './testdata/folder.js';

/** The blueprints authentik-ts ships (`./blueprints`): each one whose models exist applies on a fresh install. */
describe('blueprints/shipped', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp((config) => {
      config.blueprints_dir = resolve('blueprints');
    });
  });
  after(() => t.close());

  it('applies every shipped blueprint whose models exist', async (context) => {
    const check = await checkBlueprintFolder(t.services);
    for (const [path, missing] of check.unsupported) context.diagnostic(`waiting for models: ${path}: ${missing.join(', ')}`);
    context.diagnostic(`shipped blueprints: ${check.applied.length} applied, ${check.unsupported.size} waiting for models (of ${check.total})`);
    assert.deepEqual(check.failures, []);
    assert.ok(check.total > 0);
    // Every model the shipped blueprints name exists (the WebAuthn setup flow was the last to wait for its stage).
    assert.deepEqual([...check.unsupported.keys()], []);
    assert.equal(check.applied.length, check.total);
  });
});
