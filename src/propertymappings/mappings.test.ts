import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from '../../test/support/app.js';

describe('propertymappings: SAML, SCIM and LDAP source mappings', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp();
  });
  after(() => t.close());

  it('serves SAML property mappings with their SAML name and friendly name', async () => {
    const created = await t.api('POST', '/propertymappings/saml/', {
      body: { name: 'pm-saml-mail', saml_name: 'urn:oid:0.9.2342.19200300.100.1.3', friendly_name: 'mail', expression: 'return request.user.email' },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.meta_model_name, 'authentik_providers_saml.samlpropertymapping');
    assert.equal(created.body.component, 'ak-property-mapping-saml-form');
    const filtered = await t.api('GET', '/propertymappings/saml/?friendly_name=mail');
    assert.deepEqual(filtered.body.results.map((m: { name: string }) => m.name), ['pm-saml-mail']);
    const patched = await t.api('PATCH', `/propertymappings/saml/${created.body.pk}/`, { body: { friendly_name: null } });
    assert.equal(patched.body.friendly_name, null);
    const missing = await t.api('POST', '/propertymappings/saml/', { body: { name: 'pm-saml-bad', expression: 'return 1' } });
    assert.deepEqual(missing.body, { saml_name: ['This field is required.'] });
  });

  it('serves SCIM mappings and LDAP source mappings, which require object_field over the API', async () => {
    const scim = await t.api('POST', '/propertymappings/scim/', { body: { name: 'pm-scim', expression: 'return {"displayName": group.name}' } });
    assert.equal(scim.status, 201, JSON.stringify(scim.body));
    assert.equal(scim.body.verbose_name, 'SCIM Mapping');
    const noField = await t.api('POST', '/propertymappings/ldap/', { body: { name: 'pm-ldap', expression: 'return ldap.get("cn")' } });
    assert.deepEqual(noField.body, { object_field: ['This field is required.'] });
    const ldap = await t.api('POST', '/propertymappings/ldap/', { body: { name: 'pm-ldap', object_field: 'name', expression: 'return ldap.get("cn")' } });
    assert.equal(ldap.status, 201, JSON.stringify(ldap.body));
    assert.equal((await t.api('GET', '/propertymappings/ldap/?object_field=name')).body.results.length, 1);
    const all = await t.api('GET', '/propertymappings/all/?search=pm-');
    assert.deepEqual(all.body.results.map((m: { meta_model_name: string }) => m.meta_model_name).sort(), [
      'authentik_providers_saml.samlpropertymapping', 'authentik_providers_scim.scimmapping', 'authentik_sources_ldap.ldapsourcepropertymapping',
    ]);
    const types = await t.api('GET', '/propertymappings/all/types/');
    for (const name of ['samlpropertymapping', 'scimmapping', 'ldapsourcepropertymapping', 'notificationwebhookmapping']) {
      assert.ok(types.body.some((type: { model_name: string }) => type.model_name === name), name);
    }
  });

  it('refuses an expression that does not compile, and names shared across types', async () => {
    const syntax = await t.api('POST', '/propertymappings/scim/', { body: { name: 'pm-scim-bad', expression: 'return {' } });
    assert.equal(syntax.status, 400);
    assert.match(syntax.body.expression[0], /Expression Syntax Error/);
    const dup = await t.api('POST', '/propertymappings/saml/', { body: { name: 'pm-scim', saml_name: 'x', expression: 'return 1' } });
    assert.deepEqual(dup.body, { name: ['Property Mapping with this name already exists.'] });
  });
});
