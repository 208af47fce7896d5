import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createTestDatabase, serverOptions, usesServerDatabase, type TestDatabase } from '../../test/support/database.js';
import { openPglite, type Database } from '../db/database.js';

const run = promisify(execFile);
const AK = join(process.cwd(), 'bin', 'ak.mjs');

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

describe('ak apply_blueprint', () => {
  let testDb: TestDatabase;
  let dir: string;
  let env: Record<string, string>;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ak-bp-cli-'));
    testDb = await createTestDatabase();
    await testDb.database.close();
    if (usesServerDatabase()) {
      const pg = serverOptions(testDb.name!);
      env = {
        AUTHENTIK_POSTGRESQL__HOST: pg.host, AUTHENTIK_POSTGRESQL__PORT: String(pg.port), AUTHENTIK_POSTGRESQL__USER: pg.user,
        AUTHENTIK_POSTGRESQL__PASSWORD: pg.password, AUTHENTIK_POSTGRESQL__NAME: pg.database, AUTHENTIK_SECRET_KEY: 'cli-test-secret-key',
      };
    } else env = { AUTHENTIK_DATA_DIR: testDb.dataDir! };
    env.AUTHENTIK_BLUEPRINTS_DIR = dir;
    writeFileSync(join(dir, 'good.yaml'), `version: 1
metadata: {name: CLI good}
entries:
  - model: authentik_core.group
    id: team
    identifiers: {name: cli-team}
  - model: authentik_core.user
    identifiers: {username: cli-user}
    attrs: {name: CLI User, groups: [!KeyOf team]}
`);
    writeFileSync(join(dir, 'bad.yaml'), `version: 1
entries:
  - model: authentik_core.group
    identifiers: {name: cli-bad-first}
  - model: authentik_core.user
    identifiers: {username: cli-bad}
    attrs: {is_active: maybe}
  - model: authentik_nope.nope
    identifiers: {x: 1}
`);
    writeFileSync(join(dir, 'check.yaml'), 'version: 1\nentries:\n  - {model: authentik_core.group, state: must_created, identifiers: {name: cli-bad-first}}\n');
  });
  after(async () => {
    await testDb.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function ak(...args: string[]): Promise<Outcome> {
    try {
      const { stdout, stderr } = await run(process.execPath, [AK, 'apply_blueprint', ...args], { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 120_000 });
      return { code: 0, stdout, stderr };
    } catch (err) {
      const failed = err as { code: number; stdout: string; stderr: string };
      return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
    }
  }

  it('prints each entry and a summary, and applying again changes nothing', async () => {
    const first = await ak('good.yaml');
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /good\.yaml: CLI good, 2 entries/);
    assert.match(first.stdout, /\[1\/2\] created +authentik_core\.group \(id team\) pk [0-9a-f-]{36}/);
    assert.match(first.stdout, /\[2\/2\] created +authentik_core\.user pk \d+/);
    assert.match(first.stdout, /good\.yaml: applied \(2 created\)/);
    const second = await ak(join(dir, 'good.yaml'));
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, /applied \(2 unchanged\)/);
  });

  it('exits non-zero on a failing blueprint, names every problem and changes nothing', async () => {
    const failed = await ak('bad.yaml', 'missing.yaml');
    assert.equal(failed.code, 1);
    assert.match(failed.stderr, /bad\.yaml: failed with 3 problem\(s\); nothing was changed/);
    assert.match(failed.stderr, /entry 1, authentik_core\.user: attrs\.name: This field is required\./);
    assert.match(failed.stderr, /entry 1, authentik_core\.user: attrs\.is_active: Must be a valid boolean\./);
    assert.match(failed.stderr, /entry 2, authentik_nope\.nope: model: model authentik_nope\.nope is not supported/);
    assert.match(failed.stderr, /missing\.yaml: cannot load blueprint/);
    const check = await ak('check.yaml');
    assert.equal(check.code, 0, `the first entry of the failed blueprint was rolled back: ${check.stderr}`);
  });

  it('next to a running server: refuses the embedded database clearly, shares a PostgreSQL server', async () => {
    let held: Database | undefined;
    if (!usesServerDatabase()) held = await openPglite(testDb.dataDir!);
    try {
      const outcome = await ak('good.yaml');
      if (held) {
        assert.equal(outcome.code, 1);
        assert.match(outcome.stderr, /is in use by process \d+/);
        assert.match(outcome.stderr, /stop it first, or apply through its API/);
      } else {
        assert.equal(outcome.code, 0, outcome.stderr);
        assert.match(outcome.stdout, /applied \(2 unchanged\)/);
      }
    } finally {
      await held?.close();
    }
  });
});
