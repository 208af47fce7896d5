import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parse as parseYaml } from 'yaml';
import { startTestApp, type TestApp } from '../../test/support/app.js';
import { SCHEMA_YAML_PATH } from '../api/contract/document.js';
import { publicConfig } from './config.js';
import { loadConfig } from '../config/index.js';

describe('root', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp();
  });
  after(() => t.close());

  describe('config', () => {
    it('is served to anonymous callers with authentik defaults', async () => {
      const res = await t.api('GET', '/root/config/', { token: null });
      assert.equal(res.status, 200);
      assert.deepEqual(res.body, {
        error_reporting: { enabled: false, sentry_dsn: '', environment: 'customer', send_pii: false, traces_sample_rate: 0.1 },
        capabilities: ['can_save_media', 'can_impersonate'],
        cache_timeout: 300,
        cache_timeout_flows: 300,
        cache_timeout_policies: 300,
        cache_timeout_reputation: 300,
      });
    });

    it('still refuses an invalid token, as DRF authenticates every request', async () => {
      const res = await t.api('GET', '/root/config/', { token: 'wrong' });
      assert.equal(res.status, 403);
      assert.equal(res.body.detail, 'Token invalid/expired');
    });

    it('reads settings from the environment as authentik names them', () => {
      const config = loadConfig({
        AUTHENTIK_ERROR_REPORTING__ENABLED: 'true',
        AUTHENTIK_ERROR_REPORTING__SENTRY_DSN: 'https://key@sentry.example.test/1',
        AUTHENTIK_ERROR_REPORTING__SAMPLE_RATE: '0.5',
        AUTHENTIK_ERROR_REPORTING__SEND_PII: 'true',
        AUTHENTIK_CACHE__TIMEOUT_FLOWS: '60',
        AUTHENTIK_IMPERSONATION: 'false',
        AUTHENTIK_DEBUG: 'true',
      });
      const result = publicConfig(config);
      assert.deepEqual(result.error_reporting, {
        enabled: true, sentry_dsn: 'https://key@sentry.example.test/1', environment: 'customer', send_pii: true, traces_sample_rate: 0.5,
      });
      assert.equal(result.cache_timeout_flows, 60);
      assert.equal(result.cache_timeout, 300);
      assert.deepEqual(result.capabilities, ['can_save_media', 'can_debug']);
    });

    it('offers saving media when the media folder is writable', () => {
      const writable = mkdtempSync(join(tmpdir(), 'ak-media-'));
      assert.deepEqual(publicConfig(loadConfig({ AUTHENTIK_PATHS__MEDIA: writable, AUTHENTIK_IMPERSONATION: 'false' })).capabilities, ['can_save_media']);
      const file = join(writable, 'a-file');
      writeFileSync(file, '');
      assert.deepEqual(publicConfig(loadConfig({ AUTHENTIK_PATHS__MEDIA: join(file, 'media'), AUTHENTIK_IMPERSONATION: 'false' })).capabilities, []);
    });
  });

  describe('schema', () => {
    it('serves the OpenAPI document as YAML by default, to anyone', async () => {
      const res = await t.inject({ method: 'GET', url: '/api/v3/schema/' });
      assert.equal(res.statusCode, 200);
      assert.equal(res.headers['content-type'], 'application/vnd.oai.openapi; charset=utf-8');
      assert.equal(res.body, readFileSync(SCHEMA_YAML_PATH, 'utf8'));
    });

    it('serves JSON with ?format=json and ignores lang', async () => {
      const res = await t.api('GET', '/schema/?format=json&lang=de', { token: null });
      assert.equal(res.status, 200);
      assert.equal(res.headers['content-type'], 'application/vnd.oai.openapi+json; charset=utf-8');
      assert.equal(res.body.info.title, 'authentik');
      assert.deepEqual(Object.keys(res.body.paths), Object.keys((parseYaml(readFileSync(SCHEMA_YAML_PATH, 'utf8'), { maxAliasCount: -1 }) as { paths: object }).paths));
    });

    it('negotiates the format from the Accept header', async () => {
      const json = await t.api('GET', '/schema/', { headers: { accept: 'application/json' } });
      assert.equal(json.headers['content-type'], 'application/json; charset=utf-8');
      assert.equal(json.body.openapi, '3.0.3');
      const yaml = await t.inject({ method: 'GET', url: '/api/v3/schema/', headers: { accept: 'application/yaml' } });
      assert.equal(yaml.headers['content-type'], 'application/yaml; charset=utf-8');
      const browser = await t.inject({ method: 'GET', url: '/api/v3/schema/', headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' } });
      assert.equal(browser.headers['content-type'], 'application/vnd.oai.openapi; charset=utf-8');
      const refused = await t.inject({ method: 'GET', url: '/api/v3/schema/', headers: { accept: 'text/html' } });
      assert.equal(refused.statusCode, 406);
      assert.equal(refused.json().detail, 'Could not satisfy the request Accept header.');
    });

    it('answers 404 for an unknown format', async () => {
      assert.equal((await t.api('GET', '/schema/?format=xml')).status, 404);
    });
  });
});
