import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createPublicKey, verify, webcrypto, X509Certificate } from 'node:crypto';
import { buildSelfSigned } from './builder.js';
import {
  CertificateLoadError, expiryOf, fingerprint, keyMatchesCertificate, parseCertificate, parsePrivateKey, PrivateKeyLoadError,
  privateKeyTypeName, subjectOf,
} from './certificate.js';
import { certificateDer, keyIdOf, keyTypeOf, namedCurveOf, privateKeyOf, signingCryptoKey } from './keys.js';
import { openssl, opensslFingerprint, opensslKeyPair } from './testing.js';

describe('crypto/certificate', () => {
  it('builds an ECDSA keypair as authentik would, without alternative names when none are given', async () => {
    const longName = 'n'.repeat(70);
    const built = await buildSelfSigned({ commonName: longName, alg: 'ecdsa', validityDays: 3 });
    assert.match(built.privateKey, /^-----BEGIN EC PRIVATE KEY-----\n/);
    assert.match(built.certificate, /^-----BEGIN CERTIFICATE-----\n[\s\S]+-----END CERTIFICATE-----\n$/);
    const text = await openssl(['x509', '-in', '{in}', '-noout', '-text'], built.certificate);
    assert.match(text, /Signature Algorithm: ecdsa-with-SHA256/);
    assert.match(text, /NIST CURVE: P-256/);
    assert.doesNotMatch(text, /X509v3 extensions/);
    const cert = parseCertificate(built.certificate);
    assert.equal(subjectOf(cert), `OU=Self-signed,O=authentik,CN=${'n'.repeat(64)}`);
    assert.ok(keyMatchesCertificate(cert, parsePrivateKey(built.privateKey)));
    const notBefore = new Date(cert.openssl.validFrom).getTime();
    assert.ok(Math.abs(Date.now() - 86_400_000 - notBefore) < 5_000, 'valid from a day ago');
    assert.ok(Math.abs(Date.parse(expiryOf(cert)) - (Date.now() + 3 * 86_400_000)) < 5_000);
    assert.match(cert.openssl.serialNumber, /^[0-9A-F]{1,32}$/);
  });

  it('writes subjects as cryptography\'s rfc4514_string', async () => {
    const { certificate } = await opensslKeyPair('ec', '/C=DE/ST=Berlin/O=Acme\\, Inc./OU=a\\+b;c<d>e"f\\\\g/CN=#hash/emailAddress=admin@example.test/title=Boss');
    const cert = parseCertificate(certificate);
    assert.equal(
      subjectOf(cert),
      '2.5.4.12=Boss,1.2.840.113549.1.9.1=admin@example.test,CN=\\#hash,OU=a\\+b\\;c\\<d\\>e\\"f\\\\g,O=Acme\\, Inc.,ST=Berlin,C=DE',
    );
    assert.equal(fingerprint(cert, 'sha256'), await opensslFingerprint(certificate, 'sha256'));
  });

  it('takes the first certificate of a chain and refuses what is not one', async () => {
    const first = await opensslKeyPair('ec', '/CN=first');
    const second = await opensslKeyPair('ec', '/CN=second');
    assert.equal(subjectOf(parseCertificate(`${first.certificate}${second.certificate}`)), 'CN=first');
    assert.equal(subjectOf(parseCertificate(`junk before\r\n${second.certificate.replace(/\n/g, '\r\n')}`)), 'CN=second');
    for (const bad of ['', 'garbage', first.key, first.certificate.replace('MII', 'MIJ'), '-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n']) {
      assert.throws(() => parseCertificate(bad), CertificateLoadError);
    }
  });

  it('names key types as authentik 2023.10 and refuses what its cryptography cannot load', async () => {
    const typeOf = async (algorithm: string, ...options: string[]) => {
      const pem = await openssl(['genpkey', '-algorithm', algorithm, ...options]);
      return privateKeyTypeName(parsePrivateKey(pem));
    };
    assert.equal(await typeOf('ED448'), 'ed448');
    assert.equal(await typeOf('X25519'), 'x25519');
    assert.equal(await typeOf('EC', '-pkeyopt', 'ec_paramgen_curve:P-384'), 'ellipticcurve');
    const dsaParams = await openssl(['genpkey', '-genparam', '-algorithm', 'DSA', '-pkeyopt', 'dsa_paramgen_bits:1024']);
    assert.equal(privateKeyTypeName(parsePrivateKey(await openssl(['genpkey', '-paramfile', '{in}'], dsaParams))), 'dsa');
    const pss = await openssl(['genpkey', '-algorithm', 'RSA-PSS', '-pkeyopt', 'rsa_keygen_bits:1024']);
    assert.throws(() => parsePrivateKey(pss), PrivateKeyLoadError);
    assert.throws(() => parsePrivateKey('-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n'), PrivateKeyLoadError);
  });

  it('gives signing domains the keys, ids and types they need', async () => {
    const { certificate, key } = await opensslKeyPair('ec', '/CN=signer');
    const row = { certificateData: certificate, keyData: key };
    assert.equal(keyTypeOf(row), 'ec');
    assert.equal(namedCurveOf(row), 'prime256v1');
    assert.equal(keyIdOf(row), createHash('md5').update(key).digest('hex'));
    assert.equal(keyIdOf({ keyData: '' }), '');
    assert.equal(privateKeyOf({ keyData: '' }), undefined);
    assert.equal(privateKeyOf({ keyData: 'broken' }), undefined);
    assert.deepEqual(new X509Certificate(certificateDer(row)).fingerprint256, new X509Certificate(certificate).fingerprint256);

    const data = Buffer.from('signed by the keypair');
    const signature = verify('sha256', data, { key: createPublicKey(certificate), dsaEncoding: 'ieee-p1363' }, Buffer.from(
      await webcrypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, (await signingCryptoKey(row, { name: 'ECDSA', namedCurve: 'P-256' }))!, data),
    ));
    assert.equal(signature, true);
    assert.equal(await signingCryptoKey({ keyData: '' }, { name: 'ECDSA', namedCurve: 'P-256' }), undefined);
  });
});
