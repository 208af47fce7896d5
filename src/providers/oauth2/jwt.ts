import { createHash, webcrypto, type KeyObject } from 'node:crypto';
import { CompactEncrypt, SignJWT, exportJWK, type JWK } from 'jose';
import { certificateDer, keyIdOf, namedCurveOf, privateKeyOf, publicKeyOf, type CertificateKeyPairRow } from '../../crypto/keys.js';

export type JwtAlgorithm = 'HS256' | 'RS256' | 'ES256' | 'ES384' | 'ES512';

/** How a provider signs (authentik's `OAuth2Provider.jwt_key`): its keypair, or HS256 with the client secret. */
export interface Signer {
  alg: JwtAlgorithm;
  kid?: string;
  key: CryptoKey | Uint8Array;
}

const CURVES: Record<string, { alg: JwtAlgorithm; curve: string }> = {
  prime256v1: { alg: 'ES256', curve: 'P-256' },
  secp384r1: { alg: 'ES384', curve: 'P-384' },
  secp521r1: { alg: 'ES512', curve: 'P-521' },
};

// Keys are imported once per keypair content: importing is far dearer than signing with an imported key.
const imported = new Map<string, Promise<Signer>>();

async function importSigner(pair: CertificateKeyPairRow): Promise<Signer> {
  const key = privateKeyOf(pair);
  if (!key) throw new Error(`certificate-key pair ${pair.name} has no usable private key`);
  const kid = keyIdOf(pair);
  const der = key.export({ format: 'der', type: 'pkcs8' });
  if (key.asymmetricKeyType === 'rsa') {
    return { alg: 'RS256', kid, key: await webcrypto.subtle.importKey('pkcs8', der, { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, false, ['sign']) };
  }
  const curve = key.asymmetricKeyType === 'ec' ? CURVES[key.asymmetricKeyDetails?.namedCurve ?? ''] : undefined;
  if (!curve) throw new Error(`certificate-key pair ${pair.name} has a key type tokens cannot be signed with`);
  return { alg: curve.alg, kid, key: await webcrypto.subtle.importKey('pkcs8', der, { name: 'ECDSA', namedCurve: curve.curve }, false, ['sign']) };
}

export function keyPairSigner(pair: CertificateKeyPairRow): Promise<Signer> {
  const cacheKey = `${pair.kpUuid}:${keyIdOf(pair)}`;
  let signer = imported.get(cacheKey);
  if (!signer) {
    signer = importSigner(pair);
    signer.catch(() => imported.delete(cacheKey));
    if (imported.size > 64) imported.delete(imported.keys().next().value!);
    imported.set(cacheKey, signer);
  }
  return signer;
}

export function secretSigner(clientSecret: string): Signer {
  return { alg: 'HS256', key: new TextEncoder().encode(clientSecret) };
}

/** Signs claims as a compact JWS (PyJWT's header: alg, kid, typ), then wraps it in a JWE when the provider encrypts. */
export async function encodeJwt(signer: Signer, payload: Record<string, unknown>, encryption?: EncryptionKey): Promise<string> {
  const header: { alg: string; typ: string; kid?: string } = { alg: signer.alg, typ: 'JWT' };
  if (signer.kid) header.kid = signer.kid;
  const jws = await new SignJWT(payload).setProtectedHeader(header).sign(signer.key);
  return encryption ? encryptJws(jws, encryption) : jws;
}

/** Signatures made this second, by signer and payload. */
const recentSignatures = new WeakMap<Signer, { second: number; byPayload: Map<string, Promise<string>> }>();
const MAX_RECENT_SIGNATURES = 1_000;

/**
 * `encodeJwt` for claims that repeat: machines asking for tokens many times a second get ID tokens with the same
 * claims (same subject, same `iat`, no random member), and one signature serves them all. A reused RS256 or HS256
 * signature is byte for byte what signing again would give; a reused ECDSA one is as valid as a fresh one. Claims
 * carry `iat` in seconds, so nothing is kept past the second it was made in.
 */
export async function encodeJwtShared(signer: Signer, payload: Record<string, unknown>, encryption?: EncryptionKey): Promise<string> {
  const second = Math.floor(Date.now() / 1000);
  let recent = recentSignatures.get(signer);
  if (!recent || recent.second !== second) {
    recent = { second, byPayload: new Map() };
    recentSignatures.set(signer, recent);
  }
  const key = JSON.stringify(payload);
  let jws = recent.byPayload.get(key);
  if (!jws) {
    jws = encodeJwt(signer, payload);
    if (recent.byPayload.size >= MAX_RECENT_SIGNATURES) recent.byPayload.clear();
    recent.byPayload.set(key, jws);
    const entries = recent.byPayload;
    jws.catch(() => entries.delete(key));
  }
  const signed = await jws;
  return encryption ? encryptJws(signed, encryption) : signed;
}

function encryptJws(jws: string, encryption: EncryptionKey): Promise<string> {
  return new CompactEncrypt(new TextEncoder().encode(jws))
    .setProtectedHeader({ alg: 'RSA-OAEP-256', enc: 'A256CBC-HS512', typ: 'JWE', kid: encryption.kid })
    .encrypt(encryption.key);
}

/** The public half of a provider's encryption keypair (authentik encrypts to its certificate's key). */
export interface EncryptionKey {
  kid: string;
  key: KeyObject;
}

export function encryptionKeyOf(pair: CertificateKeyPairRow): EncryptionKey {
  return { kid: keyIdOf(pair), key: publicKeyOf(pair) };
}

function b64url(buffer: Buffer): string {
  return buffer.toString('base64url');
}

/** A keypair's entry in a JWKS document, as authentik's `JWKSView` renders it. */
export async function jwkOf(pair: CertificateKeyPairRow, use: 'sig' | 'enc'): Promise<JWK | undefined> {
  const publicKey = publicKeyOf(pair);
  const jwk = await exportJWK(publicKey);
  let alg: string;
  if (publicKey.asymmetricKeyType === 'rsa') alg = use === 'enc' ? 'RSA-OAEP-256' : 'RS256';
  else if (publicKey.asymmetricKeyType === 'ec') {
    const curve = CURVES[namedCurveOf(pair) ?? ''];
    if (!curve) return undefined;
    alg = curve.alg;
  } else return undefined;
  const der = certificateDer(pair);
  return {
    ...jwk,
    kid: keyIdOf(pair),
    alg,
    use,
    x5c: [der.toString('base64')],
    x5t: b64url(createHash('sha1').update(der).digest()),
    'x5t#S256': b64url(createHash('sha256').update(der).digest()),
  };
}

/** authentik's `at_hash`/`c_hash`: the left half of the SHA-256 of the value, base64url. */
export function halfHash(value: string): string {
  const digest = createHash('sha256').update(value, 'ascii').digest();
  return b64url(digest.subarray(0, digest.length / 2));
}
