import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from '../../../test/support/app.js';
import { createUserWithToken, type TestUser } from '../tokens/testing.js';
import { isDurationString } from './model.js';

describe('core/tenants', () => {
  let t: TestApp;
  let alice: TestUser;
  before(async () => {
    t = await startTestApp((config) => {
      config.footer_links = [{ name: 'Imprint', href: 'https://example.test/imprint' }];
    });
    alice = await createUserWithToken(t, 'alice');
  });
  after(() => t.close());

  it('has the default tenant from bootstrap', async () => {
    const res = await t.api('GET', '/core/tenants/?default=true');
    assert.equal(res.status, 200);
    assert.equal(res.body.pagination.count, 1);
    assert.equal(res.body.results[0].domain, 'authentik-default');
    assert.equal(res.body.results[0].event_retention, 'days=365');
  });

  it('creates, updates and deletes a tenant', async () => {
    const created = await t.api('POST', '/core/tenants/', { body: { domain: 'example.test', branding_title: 'Example', attributes: { settings: { locale: 'de' } } } });
    assert.equal(created.status, 201);
    assert.equal(created.body.default, false);
    assert.equal(created.body.flow_authentication, null);
    const id = created.body.tenant_uuid;
    const patched = await t.api('PATCH', `/core/tenants/${id}/`, { body: { event_retention: 'weeks=2;days=1' } });
    assert.equal(patched.status, 200);
    assert.equal(patched.body.event_retention, 'weeks=2;days=1');
    assert.equal(patched.body.branding_title, 'Example');
    const other = await t.api('POST', '/core/tenants/', { body: { domain: 'gone.test' } });
    assert.deepEqual((await t.api('GET', `/core/tenants/${other.body.tenant_uuid}/used_by/`)).body, []);
    assert.equal((await t.api('DELETE', `/core/tenants/${other.body.tenant_uuid}/`)).status, 204);
    assert.equal((await t.api('GET', `/core/tenants/${other.body.tenant_uuid}/`)).status, 404);
    assert.equal((await t.api('GET', '/core/tenants/not-a-uuid/')).status, 404);
  });

  it('allows only one default tenant', async () => {
    const res = await t.api('POST', '/core/tenants/', { body: { domain: 'second.test', default: true } });
    assert.equal(res.status, 400);
    assert.deepEqual(res.body, { default: ['Only a single Tenant can be set as default.'] });
    const [current] = (await t.api('GET', '/core/tenants/?default=true')).body.results;
    const again = await t.api('PUT', `/core/tenants/${current.tenant_uuid}/`, { body: { domain: current.domain, default: true } });
    assert.equal(again.status, 200);
  });

  it('checks the event retention format and the request shape', async () => {
    const bad = await t.api('POST', '/core/tenants/', { body: { domain: 'bad.test', event_retention: 'forever' } });
    assert.equal(bad.status, 400);
    assert.deepEqual(bad.body, { event_retention: ["forever is not in the correct format of 'hours=3;minutes=1'."] });
    const missing = await t.api('POST', '/core/tenants/', { body: { branding_title: 'x', flow_recovery: 'nope' } });
    assert.equal(missing.status, 400);
    assert.deepEqual(Object.keys(missing.body).sort(), ['domain', 'flow_recovery']);
    assert.equal(isDurationString('days=365'), true);
    assert.equal(isDurationString('hours=1.5;unknown=2'), true);
    assert.equal(isDurationString('unknown=2'), false);
    assert.equal(isDurationString('days=x'), false);
  });

  it('is for superusers only', async () => {
    assert.equal((await t.api('GET', '/core/tenants/', { token: alice.token })).status, 403);
    assert.equal((await t.api('POST', '/core/tenants/', { token: alice.token, body: { domain: 'mine.test' } })).status, 403);
  });

  it('answers current without authentication, by the request host', async () => {
    const byDomain = await t.api('GET', '/core/tenants/current/', { token: null, headers: { host: 'login.EXAMPLE.test' } });
    assert.equal(byDomain.status, 200);
    assert.equal(byDomain.body.matched_domain, 'example.test');
    assert.equal(byDomain.body.branding_title, 'Example');
    assert.equal(byDomain.body.default_locale, 'de');
    assert.equal(byDomain.body.ui_theme, 'automatic');
    assert.deepEqual(byDomain.body.ui_footer_links, [{ href: 'https://example.test/imprint', name: 'Imprint' }]);
    assert.equal('flow_authentication' in byDomain.body, false);
    const fallback = await t.api('GET', '/core/tenants/current/', { token: null, headers: { host: 'elsewhere.test' } });
    assert.equal(fallback.body.matched_domain, 'authentik-default');
    assert.equal(fallback.body.default_locale, '');
    // The port is part of the host authentik matches, as Django's get_host() gives it.
    const withPort = await t.api('GET', '/core/tenants/current/', { token: null, headers: { host: 'example.test:9443' } });
    assert.equal(withPort.body.matched_domain, 'authentik-default');
    assert.equal((await t.api('POST', '/core/tenants/current/', { token: null, unchecked: true })).status, 405);
  });

  it('falls back to authentik\'s built-in tenant when none exists', async () => {
    const all = (await t.api('GET', '/core/tenants/')).body.results as { tenant_uuid: string }[];
    for (const tenant of all) assert.equal((await t.api('DELETE', `/core/tenants/${tenant.tenant_uuid}/`)).status, 204);
    const res = await t.api('GET', '/core/tenants/current/', { token: null });
    assert.equal(res.status, 200);
    assert.equal(res.body.matched_domain, 'fallback');
    assert.equal(res.body.branding_title, 'authentik');
  });
});
