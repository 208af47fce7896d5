import { createHash, createPrivateKey, X509Certificate as NodeCertificate, type KeyObject } from 'node:crypto';
import { x509 } from './x509.js';

/** A certificate read from PEM: OpenSSL's view (checks, key matching) and the parsed ASN.1 (names). */
export interface ParsedCertificate {
  der: Buffer;
  openssl: NodeCertificate;
  asn: x509.X509Certificate;
}

export class CertificateLoadError extends Error {}
export class PrivateKeyLoadError extends Error {}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----\s*([\s\S]*?)-----END \1-----/g;
const BASE64_BODY = /^[A-Za-z0-9+/=\s]+$/;
/** The labels cryptography's `load_pem_x509_certificate` accepts. */
const CERTIFICATE_LABELS = new Set(['CERTIFICATE', 'X509 CERTIFICATE']);

/** The DER of the first certificate block in `pem` (authentik takes the first of a chain). */
function firstCertificateDer(pem: string): Buffer {
  for (const match of pem.matchAll(PEM_BLOCK)) {
    if (!CERTIFICATE_LABELS.has(match[1])) continue;
    if (!BASE64_BODY.test(match[2])) break;
    return Buffer.from(match[2].replace(/\s+/g, ''), 'base64');
  }
  throw new CertificateLoadError('no certificate block');
}

// Rows are rendered on every list; parsing the same PEM again each time is wasted work.
const parsedCache = new Map<string, ParsedCertificate>();
const CACHE_LIMIT = 256;

/** Parses a PEM certificate as authentik's `load_pem_x509_certificate` does; throws CertificateLoadError. */
export function parseCertificate(pem: string): ParsedCertificate {
  const cached = parsedCache.get(pem);
  if (cached) return cached;
  const der = firstCertificateDer(pem);
  let parsed: ParsedCertificate;
  try {
    parsed = { der, openssl: new NodeCertificate(der), asn: new x509.X509Certificate(new Uint8Array(der)) };
  } catch {
    throw new CertificateLoadError('invalid certificate');
  }
  if (parsedCache.size >= CACHE_LIMIT) parsedCache.delete(parsedCache.keys().next().value!);
  parsedCache.set(pem, parsed);
  return parsed;
}

/** Lower-case hex bytes joined by colons, as Python's `hexlify(digest, ":")`. */
function colonHex(digest: Buffer): string {
  return digest.toString('hex').replace(/(..)(?!$)/g, '$1:');
}

export function fingerprint(cert: ParsedCertificate, algorithm: 'sha256' | 'sha1'): string {
  return colonHex(createHash(algorithm).update(cert.der).digest());
}

/** The end of validity as DRF renders an aware datetime: ISO 8601, `Z`, no fraction for whole seconds. */
export function expiryOf(cert: ParsedCertificate): string {
  return cert.asn.notAfter.toISOString().replace(/\.000Z$/, 'Z');
}

/**
 * How cryptography names attribute types in RFC 4514 strings, from the names @peculiar/x509 gives them:
 * cryptography has short names for fewer types and writes the others (email, given name, title…) as their OID.
 */
const RFC4514_TYPES: Record<string, string> = {
  CN: 'CN',
  L: 'L',
  ST: 'ST',
  O: 'O',
  OU: 'OU',
  C: 'C',
  DC: 'DC',
  E: '1.2.840.113549.1.9.1',
  G: '2.5.4.42',
  I: '2.5.4.43',
  SN: '2.5.4.4',
  T: '2.5.4.12',
  '2.5.4.9': 'STREET',
  '0.9.2342.19200300.100.1.1': 'UID',
};

/** RFC 4514 section 2.4 escaping, in the order cryptography applies it. */
function escapeDnValue(value: string): string {
  if (!value) return '';
  let escaped = value
    .replace(/\\/g, '\\\\')
    .replace(/"/g, '\\"')
    .replace(/\+/g, '\\+')
    .replace(/,/g, '\\,')
    .replace(/;/g, '\\;')
    .replace(/</g, '\\<')
    .replace(/>/g, '\\>')
    .replace(/\0/g, '\\00');
  if (escaped[0] === '#' || escaped[0] === ' ') escaped = `\\${escaped}`;
  if (escaped.endsWith(' ')) escaped = `${escaped.slice(0, -1)}\\ `;
  return escaped;
}

/**
 * The subject as cryptography's `Name.rfc4514_string()`: relative names in reverse order joined by `,`,
 * multi-valued ones by `+`; values that are not strings come as `#` and hex from @peculiar/x509 already.
 */
const HEX_VALUE = /^#[0-9A-Fa-f]+$/;

export function subjectOf(cert: ParsedCertificate): string {
  return cert.asn.subjectName.toJSON().reverse().map((rdn) => Object.entries(rdn).flatMap(([type, values]) => values.map((value) => {
    const name = RFC4514_TYPES[type] ?? type;
    return `${name}=${HEX_VALUE.test(value) ? value.toLowerCase() : escapeDnValue(value)}`;
  })).join('+')).join(',');
}

/** Parses a PEM private key as authentik does (each line trimmed, no password); throws PrivateKeyLoadError. */
export function parsePrivateKey(pem: string): KeyObject {
  const normalized = pem.split('\n').map((line) => line.trim()).join('\n');
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: normalized, format: 'pem' });
  } catch {
    throw new PrivateKeyLoadError('invalid or encrypted private key');
  }
  if (!PRIVATE_KEY_TYPES[key.asymmetricKeyType ?? '']) throw new PrivateKeyLoadError(`unsupported key type ${key.asymmetricKeyType}`);
  return key;
}

/**
 * The key types authentik 2023.10 loads, by the name it reports: its serializer lower-cases the key's class name
 * without `_` and `PrivateKey` (cryptography 41's `_RSAPrivateKey` → `rsa`, `_EllipticCurvePrivateKey` →
 * `ellipticcurve`). RSA-PSS and DH keys are not among them: cryptography 41 refuses to load them.
 */
const PRIVATE_KEY_TYPES: Record<string, string> = {
  rsa: 'rsa',
  ec: 'ellipticcurve',
  dsa: 'dsa',
  ed25519: 'ed25519',
  ed448: 'ed448',
  x25519: 'x25519',
  x448: 'x448',
};

/** authentik's `private_key_type` of a loaded key. */
export function privateKeyTypeName(key: KeyObject): string | null {
  return PRIVATE_KEY_TYPES[key.asymmetricKeyType ?? ''] ?? null;
}

/** Whether `key` is the private half of the certificate's public key. */
export function keyMatchesCertificate(cert: ParsedCertificate, key: KeyObject): boolean {
  try {
    return cert.openssl.checkPrivateKey(key);
  } catch {
    return false;
  }
}
