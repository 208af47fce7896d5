import { createPrivateKey, randomUUID, webcrypto } from 'node:crypto';
import { isIP } from 'node:net';
import { x509 } from './x509.js';
import { projectVersion } from '../lib/project.js';

/** The key algorithms a self-signed keypair can be made with (authentik's `PrivateKeyAlg`). */
export type PrivateKeyAlg = 'rsa' | 'ecdsa';

export interface SelfSignedRequest {
  commonName: string;
  /** DNS names and IP addresses; blank entries are skipped. */
  subjectAltNames?: string[];
  /** Days from now until the certificate expires (authentik's default: 365). */
  validityDays?: number;
  /** RSA 4096 by default, as authentik; ECDSA on P-256. */
  alg?: PrivateKeyAlg;
}

export interface SelfSignedKeyPair {
  /** PEM, with a trailing newline. */
  certificate: string;
  /** PEM in OpenSSL's traditional format (PKCS#1 for RSA, SEC1 for EC), as authentik writes keys. */
  privateKey: string;
}

export class InvalidSubjectAltName extends Error {}

const DAY_MS = 86_400_000;
/** X.509 times end at 9999-12-31T23:59:59Z (GeneralizedTime); a later date cannot be written. */
export const LATEST_EXPIRY = Date.UTC(9999, 11, 31, 23, 59, 59);

/** `authentik <version>`, the issuer authentik writes into the certificates it makes. */
function issuer(): string {
  return `authentik ${projectVersion()}`;
}

const RSA_PARAMS: RsaHashedKeyGenParams = { name: 'RSASSA-PKCS1-v1_5', modulusLength: 4096, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' };
const ECDSA_PARAMS: EcKeyGenParams = { name: 'ECDSA', namedCurve: 'P-256' };

function generalName(entry: string): x509.JsonGeneralName {
  if (isIP(entry)) return { type: 'ip', value: entry };
  // cryptography refuses DNS names that are not A-labels; IDNs must come punycoded.
  if (!/^[\x21-\x7e]+$/.test(entry)) throw new InvalidSubjectAltName(entry);
  return { type: 'dns', value: entry };
}

/**
 * A self-signed certificate as authentik's `CertificateBuilder` makes it: subject CN (at most 64 characters),
 * O=authentik, OU=Self-signed; issuer CN=`authentik <version>`; valid from a day ago; a random 128-bit serial;
 * the alternative names as one critical extension when there are any; SHA-256 signature. Keys are generated
 * by WebCrypto, off the event loop.
 */
export async function buildSelfSigned(request: SelfSignedRequest): Promise<SelfSignedKeyPair> {
  const alternativeNames = (request.subjectAltNames ?? []).map((name) => name.trim()).filter(Boolean).map(generalName);
  const params = request.alg === 'ecdsa' ? ECDSA_PARAMS : RSA_PARAMS;
  const keys = (await webcrypto.subtle.generateKey(params, true, ['sign', 'verify'])) as CryptoKeyPair;
  const now = Date.now();
  const commonName = Array.from(request.commonName).slice(0, 64).join('');
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: randomUUID().replace(/-/g, ''),
    subject: new x509.Name([{ CN: [{ utf8String: commonName }] }, { O: [{ utf8String: 'authentik' }] }, { OU: [{ utf8String: 'Self-signed' }] }]),
    issuer: new x509.Name([{ CN: [{ utf8String: issuer() }] }]),
    notBefore: new Date(now - DAY_MS),
    notAfter: new Date(Math.min(now + (request.validityDays ?? 365) * DAY_MS, LATEST_EXPIRY)),
    publicKey: keys.publicKey,
    signingKey: keys.privateKey,
    signingAlgorithm: request.alg === 'ecdsa' ? { name: 'ECDSA', hash: 'SHA-256' } : RSA_PARAMS,
    extensions: alternativeNames.length ? [new x509.SubjectAlternativeNameExtension(alternativeNames, true)] : [],
  });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  const key = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' });
  return {
    certificate: `${certificate.toString('pem').trimEnd()}\n`,
    privateKey: String(key.export({ format: 'pem', type: request.alg === 'ecdsa' ? 'sec1' : 'pkcs1' })),
  };
}
