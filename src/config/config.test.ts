import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, parseListen, usesEmbeddedDatabase } from './index.js';

describe('config', () => {
  it('has authentik defaults and embedded mode without a PostgreSQL host', () => {
    const config = loadConfig({});
    assert.equal(config.listen.http, '0.0.0.0:9000');
    assert.equal(config.listen.https, '0.0.0.0:9443');
    assert.equal(config.data_dir, './data');
    assert.equal(config.postgresql.port, 5432);
    assert.equal(usesEmbeddedDatabase(config), true);
  });

  it('maps AUTHENTIK_* variables with __ as the level separator and coerces types', () => {
    const config = loadConfig({
      AUTHENTIK_POSTGRESQL__HOST: 'db.internal',
      AUTHENTIK_POSTGRESQL__PORT: '6543',
      AUTHENTIK_POSTGRESQL__POOL_SIZE: '3',
      AUTHENTIK_LISTEN__HTTP: '127.0.0.1:9100',
      AUTHENTIK_IMPERSONATION: 'false',
      AUTHENTIK_SECRET_KEY: 's3cret',
      AUTHENTIK_LISTEN__TRUSTED_PROXY_CIDRS: '10.0.0.0/8, 192.168.0.0/16',
      UNRELATED: 'x',
    });
    assert.equal(config.postgresql.host, 'db.internal');
    assert.equal(config.postgresql.port, 6543);
    assert.equal(config.postgresql.pool_size, 3);
    assert.equal(config.listen.http, '127.0.0.1:9100');
    assert.equal(config.impersonation, false);
    assert.equal(config.secret_key, 's3cret');
    assert.deepEqual(config.listen.trusted_proxy_cidrs, ['10.0.0.0/8', '192.168.0.0/16']);
    assert.equal(usesEmbeddedDatabase(config), false);
  });

  it('reads the bootstrap variables as authentik names them', () => {
    const config = loadConfig({ AUTHENTIK_BOOTSTRAP_PASSWORD: 'pw', AUTHENTIK_BOOTSTRAP_TOKEN: 'tok', AUTHENTIK_BOOTSTRAP_EMAIL: 'a@b.c' });
    assert.deepEqual(config.bootstrap, { password: 'pw', token: 'tok', email: 'a@b.c' });
  });

  it('resolves env:// and file:// values, and reads a YAML file under the environment', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ak-config-'));
    writeFileSync(join(dir, 'password'), 'from-file\n');
    writeFileSync(join(dir, 'config.yml'), 'postgresql:\n  host: yaml-host\n  user: yaml-user\nlog_level: debug\n');
    const config = loadConfig({
      AUTHENTIK_CONFIG: join(dir, 'config.yml'),
      AUTHENTIK_POSTGRESQL__USER: 'env-user',
      AUTHENTIK_POSTGRESQL__PASSWORD: `file://${join(dir, 'password')}`,
      AUTHENTIK_SECRET_KEY: 'env://MY_SECRET',
      MY_SECRET: 'indirect',
    });
    assert.equal(config.postgresql.host, 'yaml-host');
    assert.equal(config.postgresql.user, 'env-user');
    assert.equal(config.postgresql.password, 'from-file');
    assert.equal(config.secret_key, 'indirect');
    assert.equal(config.log_level, 'debug');
  });

  it('names the variable when a value has the wrong type', () => {
    assert.throws(() => loadConfig({ AUTHENTIK_POSTGRESQL__PORT: 'five' }), /AUTHENTIK_POSTGRESQL__PORT: expected a number/);
  });

  it('parses listen addresses', () => {
    assert.deepEqual(parseListen('0.0.0.0:9000'), { host: '0.0.0.0', port: 9000 });
    assert.deepEqual(parseListen('[::1]:9443'), { host: '::1', port: 9443 });
    assert.deepEqual(parseListen(':9000'), { host: '0.0.0.0', port: 9000 });
    assert.throws(() => parseListen('nohost'), /invalid listen address/);
  });
});
