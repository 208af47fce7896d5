import type { ModelContext } from '../api/context.js';
import type { Json, ModelDefinition } from '../api/model.js';
import { ErrorCollector, ValidationError } from '../api/errors.js';
import { certificateKeyPairs } from './table.js';
import {
  CertificateLoadError, expiryOf, fingerprint, keyMatchesCertificate, parseCertificate, parsePrivateKey, PrivateKeyLoadError,
  privateKeyTypeName, subjectOf, type ParsedCertificate,
} from './certificate.js';
import { privateKeyOf, type CertificateKeyPairRow } from './keys.js';

export const CERTIFICATE_LOAD_ERROR = 'Unable to load certificate.';
export const PRIVATE_KEY_LOAD_ERROR = 'Unable to load private key (possibly encrypted?).';
export const KEY_MISMATCH_ERROR = 'The private key does not match the certificate.';

export const CERTIFICATE_KEYPAIRS_PATH = '/api/v3/crypto/certificatekeypairs/';

/**
 * authentik parses certificates only when `include_details` is true (the default; any other value is false),
 * so that long lists in pickers stay cheap. Without a request (blueprints) details are included.
 */
function includeDetails(ctx: ModelContext): boolean {
  const raw = (ctx.request?.query as Record<string, unknown> | undefined)?.include_details;
  const value = Array.isArray(raw) ? raw[raw.length - 1] : raw;
  return value === undefined || String(value).toLowerCase() === 'true';
}

function tryParseCertificate(pem: string): ParsedCertificate | undefined {
  try {
    return parseCertificate(pem);
  } catch (err) {
    if (err instanceof CertificateLoadError) return undefined;
    throw err;
  }
}

export function serializeKeyPair(row: CertificateKeyPairRow, details: boolean): Json {
  const cert = details ? tryParseCertificate(row.certificateData) : undefined;
  const key = details ? privateKeyOf(row) : undefined;
  return {
    pk: row.kpUuid,
    name: row.name,
    fingerprint_sha256: cert ? fingerprint(cert, 'sha256') : null,
    fingerprint_sha1: cert ? fingerprint(cert, 'sha1') : null,
    cert_expiry: cert ? expiryOf(cert) : null,
    cert_subject: cert ? subjectOf(cert) : null,
    private_key_available: row.keyData !== '',
    private_key_type: key ? privateKeyTypeName(key) : null,
    certificate_download_url: `${CERTIFICATE_KEYPAIRS_PATH}${row.kpUuid}/view_certificate/?download`,
    private_key_download_url: `${CERTIFICATE_KEYPAIRS_PATH}${row.kpUuid}/view_private_key/?download`,
    managed: row.managed,
  };
}

/**
 * authentik's field validators (PEM certificate, unencrypted PEM key), and one check it lacks: a key must be the
 * certificate's, else signing would produce what nobody can verify. The pair is checked whenever either half
 * changes, against the stored other half.
 */
function validateKeyPair(data: Json, existing: CertificateKeyPairRow | undefined): void {
  const errors = new ErrorCollector();
  let certificate: ParsedCertificate | undefined;
  let key = undefined as ReturnType<typeof parsePrivateKey> | undefined;
  if (typeof data.certificate_data === 'string') {
    try {
      certificate = parseCertificate(data.certificate_data);
    } catch (err) {
      if (!(err instanceof CertificateLoadError)) throw err;
      errors.add('certificate_data', CERTIFICATE_LOAD_ERROR);
    }
  }
  if (typeof data.key_data === 'string' && data.key_data !== '') {
    try {
      key = parsePrivateKey(data.key_data);
    } catch (err) {
      if (!(err instanceof PrivateKeyLoadError)) throw err;
      errors.add('key_data', PRIVATE_KEY_LOAD_ERROR);
    }
  }
  errors.throwIfAny();
  const keyChanged = 'key_data' in data;
  if (!keyChanged && !('certificate_data' in data)) return;
  certificate ??= existing ? tryParseCertificate(existing.certificateData) : undefined;
  if (!keyChanged && existing) key = privateKeyOf(existing);
  if (certificate && key && !keyMatchesCertificate(certificate, key)) {
    throw ValidationError.field(keyChanged ? 'key_data' : 'certificate_data', KEY_MISMATCH_ERROR);
  }
}

export const certificateKeyPairModel: ModelDefinition<CertificateKeyPairRow> = {
  name: 'authentik_crypto.certificatekeypair',
  verboseName: 'Certificate-Key Pair',
  verboseNamePlural: 'Certificate-Key Pairs',
  table: certificateKeyPairs,
  requestSchema: 'CertificateKeyPairRequest',
  pk: certificateKeyPairs.kpUuid,
  fields: {
    name: { column: certificateKeyPairs.name },
    certificate_data: { column: certificateKeyPairs.certificateData },
    key_data: { column: certificateKeyPairs.keyData },
  },
  displayName: (row) => `Certificate-Key Pair ${row.name}`,
  async serialize(rows, ctx) {
    const details = includeDetails(ctx);
    return rows.map((row) => serializeKeyPair(row, details));
  },
  validate: (data, _ctx, existing) => validateKeyPair(data, existing),
};
