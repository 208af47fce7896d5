import { createHash, pbkdf2, randomInt } from 'node:crypto';
import { promisify } from 'node:util';
import { secretsEqual } from '../lib/secrets.js';

const pbkdf2Async = promisify(pbkdf2);

/** Django 4.2's PBKDF2 work factor, which authentik 2023.10 uses. */
export const PBKDF2_ITERATIONS = 600_000;
const SALT_CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

function randomSalt(length = 22): string {
  let salt = '';
  for (let i = 0; i < length; i++) salt += SALT_CHARS[randomInt(SALT_CHARS.length)];
  return salt;
}

async function pbkdf2Encode(digest: 'sha256' | 'sha1', password: string, salt: string, iterations: number): Promise<string> {
  const keyLength = digest === 'sha256' ? 32 : 20;
  const hash = await pbkdf2Async(password, salt, iterations, keyLength, digest);
  return `pbkdf2_${digest}$${iterations}$${salt}$${hash.toString('base64')}`;
}

/** Hashes a password in Django's default format: `pbkdf2_sha256$<iterations>$<salt>$<base64 hash>`. */
export function hashPassword(password: string, iterations = PBKDF2_ITERATIONS): Promise<string> {
  return pbkdf2Encode('sha256', password, randomSalt(), iterations);
}

/**
 * Checks a password against any Django hash authentik may have stored or imported: PBKDF2 (SHA-256 and SHA-1),
 * Argon2 and bcrypt (plain and SHA-256 pre-hashed). Unknown or unusable hashes never match.
 */
export async function verifyPassword(password: string, encoded: string): Promise<boolean> {
  const algorithm = encoded.slice(0, encoded.indexOf('$'));
  switch (algorithm) {
    case 'pbkdf2_sha256':
    case 'pbkdf2_sha1': {
      const [, iterations, salt] = encoded.split('$');
      const count = Number(iterations);
      if (!Number.isInteger(count) || count < 1 || salt === undefined) return false;
      const digest = algorithm === 'pbkdf2_sha256' ? 'sha256' : 'sha1';
      return secretsEqual(await pbkdf2Encode(digest, password, salt, count), encoded);
    }
    case 'argon2': {
      const { verify } = await import('@node-rs/argon2');
      // Django writes `argon2` before the PHC string: `argon2$argon2id$v=19$m=…$salt$hash`.
      return verify(encoded.slice('argon2'.length), password).catch(() => false);
    }
    case 'bcrypt_sha256':
    case 'bcrypt': {
      const { compare } = await import('@node-rs/bcrypt');
      const secret = algorithm === 'bcrypt_sha256' ? createHash('sha256').update(password).digest('hex') : password;
      return compare(secret, encoded.slice(algorithm.length + 1)).catch(() => false);
    }
    default:
      return false;
  }
}

/** Whether a stored hash should be replaced by the current default after a successful login. */
export function needsRehash(encoded: string, iterations = PBKDF2_ITERATIONS): boolean {
  const [algorithm, count] = encoded.split('$');
  return algorithm !== 'pbkdf2_sha256' || Number(count) !== iterations;
}

/** Django's shape of a hash: `algorithm$…`, for validating imported `password_hash` values. */
export function looksLikeDjangoHash(value: string): boolean {
  return /^(pbkdf2_sha256|pbkdf2_sha1)\$\d+\$[^$]+\$[A-Za-z0-9+/=]+$/.test(value)
    || /^argon2\$argon2(id|i|d)\$/.test(value)
    || /^bcrypt(_sha256)?\$\$2[aby]\$\d{2}\$/.test(value);
}
