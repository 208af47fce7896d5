import { createHash, webcrypto, type KeyObject, type X509Certificate } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Db } from '../db/database.js';
import { certificateKeyPairs } from './table.js';
import { parseCertificate, parsePrivateKey, PrivateKeyLoadError } from './certificate.js';

/**
 * What other domains use of a keypair (OAuth2 and SAML providers sign with it, sources verify with it): the
 * row, its certificate and keys as node objects, and their types. Nothing here is sent to a client.
 */
export type CertificateKeyPairRow = typeof certificateKeyPairs.$inferSelect;

export async function findKeyPair(db: Db, kpUuid: string): Promise<CertificateKeyPairRow | undefined> {
  const [row] = await db.select().from(certificateKeyPairs).where(eq(certificateKeyPairs.kpUuid, kpUuid)).limit(1);
  return row;
}

/** The keypair's certificate, parsed by OpenSSL. Throws when the stored PEM is not a certificate. */
export function certificateOf(row: Pick<CertificateKeyPairRow, 'certificateData'>): X509Certificate {
  return parseCertificate(row.certificateData).openssl;
}

/** The certificate's DER, e.g. base64-encoded in a SAML `X509Certificate` element. */
export function certificateDer(row: Pick<CertificateKeyPairRow, 'certificateData'>): Buffer {
  return parseCertificate(row.certificateData).der;
}

/** The certificate's public key. */
export function publicKeyOf(row: Pick<CertificateKeyPairRow, 'certificateData'>): KeyObject {
  return certificateOf(row).publicKey;
}

const keyCache = new Map<string, KeyObject | null>();
const KEY_CACHE_LIMIT = 64;

/**
 * The private key, or undefined when the keypair has none or it cannot be read (authentik's `private_key`
 * property answers None then, and callers fall back or refuse).
 */
export function privateKeyOf(row: Pick<CertificateKeyPairRow, 'keyData'>): KeyObject | undefined {
  if (!row.keyData) return undefined;
  let key = keyCache.get(row.keyData);
  if (key === undefined) {
    try {
      key = parsePrivateKey(row.keyData);
    } catch (err) {
      if (!(err instanceof PrivateKeyLoadError)) throw err;
      key = null;
    }
    if (keyCache.size >= KEY_CACHE_LIMIT) keyCache.delete(keyCache.keys().next().value!);
    keyCache.set(row.keyData, key);
  }
  return key ?? undefined;
}

/** The private key in PEM, as stored (what authentik's `key_data` holds); '' when there is none. */
export function privateKeyPem(row: Pick<CertificateKeyPairRow, 'keyData'>): string {
  return row.keyData;
}

export function certificatePem(row: Pick<CertificateKeyPairRow, 'certificateData'>): string {
  return row.certificateData;
}

/** The key algorithm, from the certificate's public key: authentik's later `KeyType` values. */
export type KeyType = 'rsa' | 'ec' | 'dsa' | 'ed25519' | 'ed448';

export function keyTypeOf(row: Pick<CertificateKeyPairRow, 'certificateData'>): KeyType | undefined {
  const type = publicKeyOf(row).asymmetricKeyType;
  return type === 'rsa' || type === 'ec' || type === 'dsa' || type === 'ed25519' || type === 'ed448' ? type : undefined;
}

/** The named curve of an EC keypair (`prime256v1`, `secp384r1`, `secp521r1`), for choosing ES256/384/512. */
export function namedCurveOf(row: Pick<CertificateKeyPairRow, 'certificateData'>): string | undefined {
  return publicKeyOf(row).asymmetricKeyDetails?.namedCurve;
}

/** authentik's `kid` for JWKS and JWT headers: the MD5 of the stored key PEM, '' without a key. */
export function keyIdOf(row: Pick<CertificateKeyPairRow, 'keyData'>): string {
  return row.keyData ? createHash('md5').update(row.keyData, 'utf8').digest('hex') : '';
}

/**
 * The private key as a WebCrypto signing key, for libraries that take a CryptoKey (e.g. RSASSA-PKCS1-v1_5 with
 * SHA-256, or ECDSA on P-256). Undefined without a readable key.
 */
export async function signingCryptoKey(
  row: Pick<CertificateKeyPairRow, 'keyData'>, algorithm: RsaHashedImportParams | EcKeyImportParams | Algorithm,
): Promise<CryptoKey | undefined> {
  const key = privateKeyOf(row);
  if (!key) return undefined;
  return webcrypto.subtle.importKey('pkcs8', key.export({ format: 'der', type: 'pkcs8' }), algorithm, false, ['sign']);
}
