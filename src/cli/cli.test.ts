import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { verifyPassword } from '../core/passwords.js';
import { serverOptions, usesServerDatabase } from '../../test/support/database.js';
import { openPostgres } from '../db/database.js';

const run = promisify(execFile);
const AK = join(process.cwd(), 'bin', 'ak.mjs');

/** Runs `ak` with only the variables given (plus PATH), as a fresh shell would. */
function ak(args: string[], env: Record<string, string> = {}) {
  return run(process.execPath, [AK, ...args], { env: { PATH: process.env.PATH ?? '', AUTHENTIK_LOG_LEVEL: 'warn', ...env }, timeout: 600_000 });
}

describe('the ak command', () => {
  const dirs: string[] = [];
  const dataDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'ak-cli-'));
    dirs.push(dir);
    return dir;
  };
  after(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('hash_password prints a Django pbkdf2_sha256 hash of the password', async () => {
    const { stdout } = await ak(['hash_password', 'correct horse']);
    const hash = stdout.trim();
    assert.match(hash, /^pbkdf2_sha256\$600000\$[A-Za-z0-9]+\$[A-Za-z0-9+/=]+$/);
    assert.equal(await verifyPassword('correct horse', hash), true);
  });

  it('migrate and create_recovery_key work on an embedded data folder, keeping a generated secret key', async () => {
    const dir = dataDir();
    await ak(['migrate'], { AUTHENTIK_DATA_DIR: dir });
    const secret = readFileSync(join(dir, 'secret_key'), 'utf8');
    assert.ok(secret.length >= 32);
    const { stdout } = await ak(['create_recovery_key', '1', 'akadmin'], { AUTHENTIK_DATA_DIR: dir, AUTHENTIK_LISTEN__HTTP: '0.0.0.0:9123' });
    assert.match(stdout, /http:\/\/localhost:9123\/recovery\/use-token\/[A-Za-z0-9_-]{60,}\//);
    assert.equal(readFileSync(join(dir, 'secret_key'), 'utf8'), secret, 'the key is generated once');
  });

  it('create_recovery_key refuses unknown users and bad durations', async () => {
    const dir = dataDir();
    await assert.rejects(ak(['create_recovery_key', '1', 'nobody'], { AUTHENTIK_DATA_DIR: dir }), (err: { stderr: string }) => /nobody/.test(err.stderr));
    await assert.rejects(ak(['create_recovery_key', 'soon', 'akadmin'], { AUTHENTIK_DATA_DIR: dir }), (err: { stderr: string }) => /positive number/.test(err.stderr));
  });

  it('server points a newcomer without a bootstrap password to the initial setup', async () => {
    const probe = createServer().listen(0, '127.0.0.1');
    await once(probe, 'listening');
    const { port } = probe.address() as { port: number };
    probe.close();
    const server = spawn(process.execPath, [AK, 'server'], {
      env: { PATH: process.env.PATH ?? '', AUTHENTIK_LOG_LEVEL: 'warn', AUTHENTIK_DATA_DIR: dataDir(), AUTHENTIK_LISTEN__HTTP: `127.0.0.1:${port}` },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      let printed = '';
      server.stdout.setEncoding('utf8');
      for await (const chunk of server.stdout) {
        printed += chunk;
        if (/Admin:/.test(printed)) break;
      }
      const setup = /Setup: +open (http:\S+)/.exec(printed);
      assert.ok(setup, printed);
      assert.equal(setup[1], `http://127.0.0.1:${port}/if/flow/initial-setup/`);
      assert.doesNotMatch(printed, /Login:/);
      const page = await fetch(setup[1]);
      assert.equal(page.status, 200);
    } finally {
      server.kill('SIGTERM');
      if (server.exitCode === null) await once(server, 'exit');
    }
  });

  it('healthcheck fails when nothing listens', async () => {
    await assert.rejects(ak(['healthcheck'], { AUTHENTIK_LISTEN__HTTP: '127.0.0.1:1' }));
  });

  it('refuses a PostgreSQL server without a secret key, saying which variable to set', async () => {
    const error = await ak(['migrate'], { AUTHENTIK_POSTGRESQL__HOST: '127.0.0.1', AUTHENTIK_DATA_DIR: dataDir() }).then(() => undefined, (e: { stderr: string }) => e);
    assert.ok(error);
    assert.match(error.stderr, /AUTHENTIK_SECRET_KEY is required/);
  });

  it('migrates one server database from several instances at once', { skip: !usesServerDatabase() && 'runs in the PostgreSQL pass of .ci/run' }, async () => {
    const name = `authentik_cli_${process.pid}`;
    const admin = await openPostgres(serverOptions('postgres'));
    await admin.query(`drop database if exists ${name}`);
    await admin.query(`create database ${name}`);
    try {
      const env = {
        AUTHENTIK_POSTGRESQL__HOST: process.env.AUTHENTIK_POSTGRESQL__HOST!,
        AUTHENTIK_POSTGRESQL__USER: serverOptions(name).user,
        AUTHENTIK_POSTGRESQL__NAME: name,
        AUTHENTIK_SECRET_KEY: 'shared-secret',
      };
      await Promise.all([ak(['migrate'], env), ak(['migrate'], env), ak(['migrate'], env)]);
      const database = await openPostgres(serverOptions(name));
      try {
        const admins = await database.query<{ count: string }>("select count(*) from authentik_core_user where username = 'akadmin'");
        assert.equal(Number(admins[0].count), 1);
        const migrations = await database.query<{ name: string }>('select name from authentik_migrations');
        assert.equal(new Set(migrations.map((m) => m.name)).size, migrations.length);
      } finally {
        await database.close();
      }
    } finally {
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.close();
    }
  });
});
