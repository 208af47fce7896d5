import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import { startTestApp, type TestApp } from '../../test/support/app.js';
import { createUserWithToken } from '../core/tokens/testing.js';
import { tenants } from '../core/table.js';
import { events } from '../events/table.js';
import { certificateKeyPairs } from './table.js';
import { bootstrapCrypto, SELF_SIGNED_NAME } from './bootstrap.js';
import { openssl, opensslFingerprint, opensslKeyPair, opensslNotAfter } from './testing.js';

const BASE = '/crypto/certificatekeypairs/';

/** Neither the key nor the certificate PEM may be in an API body other than view_certificate/view_private_key. */
function assertNoSecrets(body: unknown): void {
  const text = JSON.stringify(body);
  assert.ok(!text.includes('PRIVATE KEY'), 'a private key leaked into a response');
  assert.ok(!text.includes('BEGIN CERTIFICATE'), 'certificate_data is write-only');
  assert.ok(!text.includes('"key_data"') && !text.includes('"certificate_data"'), 'write-only fields leaked');
}

describe('crypto/certificatekeypairs', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp();
  });
  after(() => t.close());

  async function importPair(name: string, certificate: string, key?: string) {
    const res = await t.api('POST', BASE, { body: { name, certificate_data: certificate, ...(key === undefined ? {} : { key_data: key }) } });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assertNoSecrets(res.body);
    return res.body;
  }

  it('creates the self-signed keypair on first start, once', async () => {
    const list = await t.api('GET', `${BASE}?name=${encodeURIComponent(SELF_SIGNED_NAME)}`);
    assert.equal(list.status, 200);
    assert.equal(list.body.pagination.count, 1);
    const [pair] = list.body.results;
    assert.equal(pair.managed, null);
    assert.equal(pair.private_key_available, true);
    assert.equal(pair.private_key_type, 'rsa');
    assert.equal(pair.cert_subject, 'OU=Self-signed,O=authentik,CN=authentik Self-signed Certificate');
    const days = (Date.parse(pair.cert_expiry) - Date.now()) / 86_400_000;
    assert.ok(days > 364 && days <= 365, `expires in ${days} days`);

    const pem = (await t.api('GET', `${BASE}${pair.pk}/view_certificate/`)).body.data;
    const cert = new X509Certificate(pem);
    assert.match(cert.subjectAltName ?? '', /^DNS:[A-Za-z0-9]{40}\.self-signed\.goauthentik\.io$/);
    assert.match(cert.issuer, /^CN=authentik \d+\.\d+\.\d+/);
    assert.equal(pair.fingerprint_sha256, await opensslFingerprint(pem, 'sha256'));
    const key = createPrivateKey((await t.api('GET', `${BASE}${pair.pk}/view_private_key/`)).body.data);
    assert.equal(key.asymmetricKeyDetails?.modulusLength, 4096);
    assert.ok(cert.checkPrivateKey(key));

    await bootstrapCrypto(t.services);
    const again = await t.api('GET', `${BASE}?name=${encodeURIComponent(SELF_SIGNED_NAME)}`);
    assert.equal(again.body.pagination.count, 1);
    assert.equal(again.body.results[0].pk, pair.pk);
    assert.equal(again.body.results[0].fingerprint_sha256, pair.fingerprint_sha256);
  });

  for (const [type, expected] of [['rsa', 'rsa'], ['ec', 'ellipticcurve'], ['ed25519', 'ed25519']] as const) {
    it(`imports an ${type} certificate and key, with openssl's fingerprints and dates`, async () => {
      const { certificate, key } = await opensslKeyPair(type, `/CN=import-${type}/O=Example, Inc./C=DE`, 40);
      const created = await importPair(`import-${type}`, certificate, key);
      assert.equal(created.fingerprint_sha256, await opensslFingerprint(certificate, 'sha256'));
      assert.equal(created.fingerprint_sha1, await opensslFingerprint(certificate, 'sha1'));
      assert.equal(Date.parse(created.cert_expiry), (await opensslNotAfter(certificate)).getTime());
      assert.match(created.cert_expiry, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      assert.equal(created.cert_subject, 'C=DE,O=Example\\, Inc.,CN=import-' + type);
      assert.equal(created.private_key_available, true);
      assert.equal(created.private_key_type, expected);
      assert.equal(created.certificate_download_url, `/api/v3${BASE}${created.pk}/view_certificate/?download`);
      assert.equal(created.private_key_download_url, `/api/v3${BASE}${created.pk}/view_private_key/?download`);

      const fetched = await t.api('GET', `${BASE}${created.pk}/`);
      assert.deepEqual(fetched.body, created);
      assert.equal((await t.api('GET', `${BASE}${created.pk}/view_certificate/`)).body.data, certificate);
      assert.equal((await t.api('GET', `${BASE}${created.pk}/view_private_key/`)).body.data, key);
    });
  }

  it('accepts a certificate without a key, and traditional-format keys', async () => {
    const { certificate, key } = await opensslKeyPair('rsa', '/CN=no-key');
    const created = await importPair('cert-only', certificate);
    assert.equal(created.private_key_available, false);
    assert.equal(created.private_key_type, null);
    assert.equal((await t.api('GET', `${BASE}${created.pk}/view_private_key/`)).body.data, '');
    // PKCS#1 (BEGIN RSA PRIVATE KEY), with indented lines that authentik trims.
    const traditional = (await openssl(['pkey', '-in', '{in}', '-traditional'], key)).split('\n').map((line) => `  ${line}`).join('\n');
    const patched = await t.api('PATCH', `${BASE}${created.pk}/`, { body: { key_data: traditional } });
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
    assert.equal(patched.body.private_key_available, true);
    assert.equal(patched.body.private_key_type, 'rsa');
    assertNoSecrets(patched.body);
  });

  it('refuses a key that is not the certificate\'s', async () => {
    const first = await opensslKeyPair('rsa', '/CN=mismatch-a');
    const second = await opensslKeyPair('rsa', '/CN=mismatch-b');
    const res = await t.api('POST', BASE, { body: { name: 'mismatch', certificate_data: first.certificate, key_data: second.key } });
    assert.equal(res.status, 400);
    assert.deepEqual(res.body, { key_data: ['The private key does not match the certificate.'] });

    const pair = await importPair('mismatch-a', first.certificate, first.key);
    const badKey = await t.api('PATCH', `${BASE}${pair.pk}/`, { body: { key_data: second.key } });
    assert.deepEqual(badKey.body, { key_data: ['The private key does not match the certificate.'] });
    const badCert = await t.api('PUT', `${BASE}${pair.pk}/`, { body: { name: 'mismatch-a', certificate_data: second.certificate } });
    assert.deepEqual(badCert.body, { certificate_data: ['The private key does not match the certificate.'] });
    const both = await t.api('PUT', `${BASE}${pair.pk}/`, { body: { name: 'mismatch-b', certificate_data: second.certificate, key_data: second.key } });
    assert.equal(both.status, 200);
    assert.equal(both.body.fingerprint_sha256, await opensslFingerprint(second.certificate, 'sha256'));
  });

  it('names garbage, encrypted keys and missing fields as authentik does', async () => {
    const { certificate, key } = await opensslKeyPair('ec', '/CN=garbage');
    const garbage = await t.api('POST', BASE, { body: { name: 'garbage', certificate_data: 'not a certificate', key_data: 'not a key' } });
    assert.equal(garbage.status, 400);
    assert.deepEqual(garbage.body, { certificate_data: ['Unable to load certificate.'], key_data: ['Unable to load private key (possibly encrypted?).'] });

    const corrupt = certificate.replace(/\n(.{10})/, '\nAAAAAAAAAA');
    assert.deepEqual((await t.api('POST', BASE, { body: { name: 'corrupt', certificate_data: corrupt } })).body, { certificate_data: ['Unable to load certificate.'] });
    assert.deepEqual((await t.api('POST', BASE, { body: { name: 'key-as-cert', certificate_data: key } })).body, { certificate_data: ['Unable to load certificate.'] });

    const encrypted = await openssl(['pkey', '-in', '{in}', '-aes256', '-passout', 'pass:secret'], key);
    assert.match(encrypted, /ENCRYPTED PRIVATE KEY/);
    const res = await t.api('POST', BASE, { body: { name: 'encrypted', certificate_data: certificate, key_data: encrypted } });
    assert.deepEqual(res.body, { key_data: ['Unable to load private key (possibly encrypted?).'] });

    const missing = await t.api('POST', BASE, { body: { key_data: key } });
    assert.equal(missing.status, 400);
    assert.deepEqual(Object.keys(missing.body).sort(), ['certificate_data', 'name']);
    assert.equal((await t.api('GET', `${BASE}?name=garbage`)).body.pagination.count, 0);
  });

  it('refuses a duplicate name', async () => {
    const { certificate } = await opensslKeyPair('ec', '/CN=dup');
    await importPair('dup', certificate);
    const dup = await t.api('POST', BASE, { body: { name: 'dup', certificate_data: certificate } });
    assert.equal(dup.status, 400);
    assert.deepEqual(dup.body, { name: ['Certificate-Key Pair with this name already exists.'] });
  });

  it('downloads the certificate and the key as attachments', async () => {
    const { certificate, key } = await opensslKeyPair('ec', '/CN=download');
    const pair = await importPair('download me', certificate, key);
    const cert = await t.api('GET', `${BASE}${pair.pk}/view_certificate/?download`, { unchecked: true });
    assert.equal(cert.status, 200);
    assert.equal(cert.headers['content-type'], 'application/x-pem-file');
    assert.equal(cert.headers['content-disposition'], 'attachment; filename="download me_certificate.pem"');
    assert.equal(cert.body, certificate);
    const privateKey = await t.api('GET', `${BASE}${pair.pk}/view_private_key/?download=false`, { unchecked: true });
    assert.equal(privateKey.headers['content-disposition'], 'attachment; filename="download me_private_key.pem"');
    assert.equal(privateKey.body, key);

    const unicode = await importPair('zertifikat-ü€', (await opensslKeyPair('ec', '/CN=unicode')).certificate);
    const encoded = await t.api('GET', `${BASE}${unicode.pk}/view_certificate/?download`, { unchecked: true });
    const disposition = String(encoded.headers['content-disposition']);
    const [, base64] = /^=\?utf-8\?b\?(.+)\?=$/.exec(disposition) ?? [];
    assert.equal(Buffer.from(base64, 'base64').toString('utf8'), 'attachment; filename="zertifikat-ü€_certificate.pem"');

    const seen = await t.services.db.select().from(events).where(and(eq(events.action, 'secret_view'), sql`${events.context}->'secret'->>'pk' = ${pair.pk.replace(/-/g, '')}`));
    assert.deepEqual(seen.map((e) => e.context.type).sort(), ['certificate', 'private_key']);
  });

  it('generates a self-signed RSA keypair', async () => {
    const res = await t.api('POST', `${BASE}generate/`, { body: { common_name: 'generated.example', subject_alt_name: 'generated.example, *.generated.example,10.1.2.3', validity_days: 30 } });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assertNoSecrets(res.body);
    assert.equal(res.body.name, 'generated.example');
    assert.equal(res.body.private_key_type, 'rsa');
    assert.equal(res.body.cert_subject, 'OU=Self-signed,O=authentik,CN=generated.example');
    const days = (Date.parse(res.body.cert_expiry) - Date.now()) / 86_400_000;
    assert.ok(days > 29 && days <= 30, `expires in ${days} days`);
    const pem = (await t.api('GET', `${BASE}${res.body.pk}/view_certificate/`)).body.data;
    const text = await openssl(['x509', '-in', '{in}', '-noout', '-text'], pem);
    assert.match(text, /Subject Alternative Name: critical\s+DNS:generated\.example, DNS:\*\.generated\.example, IP Address:10\.1\.2\.3/);
    assert.match(text, /Public-Key: \(4096 bit\)/);
    assert.match(text, /Signature Algorithm: sha256WithRSAEncryption/);
    assert.equal(res.body.fingerprint_sha256, await opensslFingerprint(pem, 'sha256'));

    // The schema declares generate's 400 without a body; authentik answers the serializer's errors all the same.
    const taken = await t.api('POST', `${BASE}generate/`, { body: { common_name: 'generated.example', validity_days: 1 }, unchecked: true });
    assert.equal(taken.status, 400);
    assert.deepEqual(taken.body, { common_name: ['Certificate-Key Pair with this name already exists.'] });
    const invalid = await t.api('POST', `${BASE}generate/`, { body: { subject_alt_name: 'x' }, unchecked: true });
    assert.equal(invalid.status, 400);
    assert.deepEqual(Object.keys(invalid.body).sort(), ['common_name', 'validity_days']);
    const tooLong = await t.api('POST', `${BASE}generate/`, { body: { common_name: 'long', validity_days: 10_000_000 }, unchecked: true });
    assert.equal(tooLong.status, 400);
    assert.ok(tooLong.body.validity_days);
  });

  it('filters, searches, orders and skips details when asked', async () => {
    const { certificate, key } = await opensslKeyPair('ec', '/CN=filters');
    const withKey = await importPair('filter-with-key', certificate, key);
    const withoutKey = await importPair('filter-without-key', certificate);
    await t.services.db.update(certificateKeyPairs).set({ managed: 'goauthentik.io/test/filter' }).where(eq(certificateKeyPairs.kpUuid, withoutKey.pk));

    const names = (body: { results: { name: string }[] }) => body.results.map((r) => r.name);
    assert.deepEqual(names((await t.api('GET', `${BASE}?search=filter-&has_key=true`)).body), ['filter-with-key']);
    assert.deepEqual(names((await t.api('GET', `${BASE}?search=filter-&has_key=false`)).body), ['filter-with-key', 'filter-without-key']);
    assert.deepEqual(names((await t.api('GET', `${BASE}?search=FILTER-&ordering=-name`)).body), ['filter-without-key', 'filter-with-key']);
    assert.deepEqual(names((await t.api('GET', `${BASE}?managed=goauthentik.io/test/filter`)).body), ['filter-without-key']);
    assert.deepEqual(names((await t.api('GET', `${BASE}?name=filter-with-key`)).body), ['filter-with-key']);
    assert.equal((await t.api('GET', `${BASE}?has_key=maybe`)).status, 400);

    const plain = await t.api('GET', `${BASE}?name=filter-with-key&include_details=false`);
    const [row] = plain.body.results;
    assert.equal(row.pk, withKey.pk);
    for (const field of ['fingerprint_sha256', 'fingerprint_sha1', 'cert_expiry', 'cert_subject', 'private_key_type']) assert.equal(row[field], null, field);
    assert.equal(row.private_key_available, true);
    assert.equal(row.managed, null);
    const list = await t.api('GET', BASE);
    assertNoSecrets(list.body);
    assert.deepEqual(names(list.body), [...names(list.body)].sort());
  });

  it('lists tenants using a keypair and releases them on delete', async () => {
    const { certificate, key } = await opensslKeyPair('ec', '/CN=web');
    const pair = await importPair('web certificate', certificate, key);
    const [tenant] = await t.services.db.insert(tenants).values({ domain: 'web.example', webCertificate: pair.pk }).returning();
    const usedBy = await t.api('GET', `${BASE}${pair.pk}/used_by/`);
    assert.equal(usedBy.status, 200);
    assert.deepEqual(usedBy.body.map((u: { model_name: string; action: string; pk: string }) => [u.model_name, u.action, u.pk]), [['tenant', 'SET_DEFAULT', tenant.tenantUuid]]);
    assert.equal((await t.api('DELETE', `${BASE}${pair.pk}/`)).status, 204);
    assert.equal((await t.api('GET', `${BASE}${pair.pk}/`)).status, 404);
    const [after] = await t.services.db.select().from(tenants).where(eq(tenants.tenantUuid, tenant.tenantUuid));
    assert.equal(after.webCertificate, null);
  });

  it('is for superusers only', async () => {
    const user = await createUserWithToken(t, 'crypto-viewer');
    const [pair] = (await t.api('GET', `${BASE}?name=${encodeURIComponent(SELF_SIGNED_NAME)}`)).body.results;
    for (const [method, path] of [['GET', BASE], ['GET', `${BASE}${pair.pk}/`], ['GET', `${BASE}${pair.pk}/view_private_key/`], ['POST', `${BASE}generate/`]]) {
      const res = await t.api(method, path, { token: user.token, body: method === 'POST' ? { common_name: 'x', validity_days: 1 } : undefined });
      assert.equal(res.status, 403, `${method} ${path}`);
      assertNoSecrets(res.body);
    }
    assert.equal((await t.api('GET', `${BASE}00000000-0000-0000-0000-000000000000/`)).status, 404);
  });
});
