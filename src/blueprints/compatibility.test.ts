import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { startTestApp, type TestApp } from '../../test/support/app.js';
import { checkBlueprintFolder } from './testdata/folder.js';
import { discoverBlueprints } from './discovery.js';

/**
 * authentik's own blueprints as fixtures: every one whose models authentik-ts has must apply; for the others
 * the test says which models (or choices newer than 2023.10) are missing. They apply to an install that runs
 * the blueprints we ship, as authentik's examples expect (one changes `default-authentication-flow`), and the
 * shipped files' instances see authentik's newer versions of them as an upgrade would.
 */
const FIXTURES = process.env.AUTHENTIK_BLUEPRINT_FIXTURES ?? '/work/shared/reference/authentik-blueprints';

describe('blueprints/compatibility with authentik\'s blueprints', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp((config) => {
      config.blueprints_dir = resolve('blueprints');
    });
    await discoverBlueprints(t.services);
    t.config.blueprints_dir = FIXTURES;
  });
  after(() => t.close());

  it('applies every fixture whose models are supported and names the missing models of the others', async (context) => {
    assert.ok(existsSync(FIXTURES), `the fixtures are expected in ${FIXTURES} (AUTHENTIK_BLUEPRINT_FIXTURES)`);
    const check = await checkBlueprintFolder(t.services);
    for (const [path, missing] of check.unsupported) context.diagnostic(`unsupported ${path}: ${missing.join(', ')}`);
    for (const path of check.applied) context.diagnostic(`applied ${path}`);
    context.diagnostic(`authentik blueprint fixtures: ${check.applied.length} applied, ${check.failures.length} failed, ${check.unsupported.size} with unsupported models (of ${check.total})`);
    assert.deepEqual(check.failures, []);
    assert.ok(check.total > 0);
  });
});
