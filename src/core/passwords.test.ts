import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { hashPassword, looksLikeDjangoHash, needsRehash, PBKDF2_ITERATIONS, verifyPassword } from './passwords.js';

// Hashes of "lètmein" made by tools other than ours: Python's hashlib (PBKDF2), the argon2 CLI and Apache's
// htpasswd (bcrypt), written in Django's formats.
const PASSWORD = 'lètmein';
const FOREIGN_HASHES = {
  pbkdf2_sha256: 'pbkdf2_sha256$600000$seasalt2$OSllgFdJjYQjb0RfMzrx8u0XYl4Fkt+wKpI1yq4lZlo=',
  pbkdf2_sha256_old: 'pbkdf2_sha256$260000$oldsalt1$fm4ODYZjU5Fa19qf0UMvtvH6G0Jj5uvEGhhqktrJVVw=',
  pbkdf2_sha1: 'pbkdf2_sha1$100000$sha1salt$w3fHEGjdSQTxyiIbz3lIOwoE1Vg=',
  argon2: 'argon2$argon2id$v=19$m=4096,t=2,p=1$c2FsdHlzYWx0MTIz$IQkFTHpcRV/3JCRgUpBGAwewVai50laqKcllN2+d1q8',
  bcrypt_sha256: 'bcrypt_sha256$$2b$10$zGq/HDCzNzWVY9cirS0nNuP0F75g4a.nDwuPSUkoTYNoosaFUzTba',
  bcrypt: 'bcrypt$$2b$10$Ong0/0egOMtSVASeO34pY.aUrpUnEJCzlUmskqgkNEBU08wuUUeKK',
};

describe('passwords', () => {
  for (const [name, hash] of Object.entries(FOREIGN_HASHES)) {
    it(`verifies a ${name} hash made elsewhere, and only with the right password`, async () => {
      assert.equal(looksLikeDjangoHash(hash), true);
      assert.equal(await verifyPassword(PASSWORD, hash), true);
      assert.equal(await verifyPassword('letmein', hash), false);
      assert.equal(await verifyPassword('', hash), false);
    });
  }

  it("hashes in Django's default format at authentik's work factor", async () => {
    const hash = await hashPassword(PASSWORD);
    const [algorithm, iterations, salt, digest] = hash.split('$');
    assert.equal(algorithm, 'pbkdf2_sha256');
    assert.equal(Number(iterations), PBKDF2_ITERATIONS);
    assert.match(salt, /^[A-Za-z0-9]{22}$/);
    assert.equal(Buffer.from(digest, 'base64').length, 32);
    assert.equal(await verifyPassword(PASSWORD, hash), true);
    assert.notEqual(await hashPassword(PASSWORD), hash, 'each hash gets its own salt');
  });

  it('asks for a rehash of everything but the current default', () => {
    assert.equal(needsRehash(FOREIGN_HASHES.pbkdf2_sha256), false);
    for (const name of ['pbkdf2_sha256_old', 'pbkdf2_sha1', 'argon2', 'bcrypt_sha256', 'bcrypt'] as const) {
      assert.equal(needsRehash(FOREIGN_HASHES[name]), true, name);
    }
  });

  it('never matches unusable or malformed hashes', async () => {
    for (const hash of ['', '!unusable', 'md5$salt$abc', 'pbkdf2_sha256$notanumber$salt$x', 'pbkdf2_sha256$0$salt$x', 'argon2$garbage', 'bcrypt$$2b$10$short']) {
      assert.equal(await verifyPassword(PASSWORD, hash), false, hash);
    }
    assert.equal(looksLikeDjangoHash('plaintext'), false);
  });
});
