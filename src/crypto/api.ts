import { eq, ne } from 'drizzle-orm';
import type { ApiContext } from '../api/context.js';
import type { Json, ModelDefinition } from '../api/model.js';
import type { ViewSet } from '../api/viewset.js';
import { filters } from '../api/filters.js';
import { ValidationError } from '../api/errors.js';
import { translateDatabaseError } from '../api/db-errors.js';
import { registerUsedByResolver, usedByEntry } from '../api/used-by.js';
import { models } from '../api/registry.js';
import type { Db } from '../db/database.js';
import { tenants } from '../core/table.js';
import { recordEvent } from '../events/record.js';
import { certificateKeyPairs } from './table.js';
import { certificateKeyPairModel } from './model.js';
import { buildSelfSigned, InvalidSubjectAltName, LATEST_EXPIRY } from './builder.js';
import type { CertificateKeyPairRow } from './keys.js';

const DAY_MS = 86_400_000;

/** `has_key=true` keeps keypairs with a private key; `false` filters nothing (authentik's `filter_has_key`). */
function hasKeyFilter(value: string) {
  const lowered = value.toLowerCase();
  if (!['true', 'false', '1', '0'].includes(lowered)) throw ValidationError.field('non_field_errors', `"${value}" is not a valid boolean.`);
  return lowered === 'true' || lowered === '1' ? ne(certificateKeyPairs.keyData, '') : undefined;
}

/** An object reference as authentik's `model_to_dict` puts it in an event's context. */
function secretReference(row: CertificateKeyPairRow): Json {
  return { pk: row.kpUuid.replace(/-/g, ''), app: 'authentik_crypto', model_name: 'certificatekeypair', name: certificateKeyPairModel.displayName(row) };
}

/**
 * A header value as Django writes it: as it is when latin-1 can carry it, else MIME-encoded as UTF-8
 * (RFC 2047). Line breaks are encoded too: Django would refuse them, a header must never carry them raw.
 */
function headerValue(value: string): string {
  if (/^[\t\x20-\x7e\xa0-\xff]*$/.test(value)) return value;
  return `=?utf-8?b?${Buffer.from(value, 'utf8').toString('base64')}?=`;
}

/**
 * `view_certificate` and `view_private_key`: the PEM as `{data}`, or with `?download` (any value, as authentik
 * checks only that the parameter is there) as a `.pem` attachment. Every view is recorded as a `secret_view`.
 */
async function viewSecret(ctx: ApiContext, row: CertificateKeyPairRow, type: 'certificate' | 'private_key') {
  await recordEvent(ctx.services, {
    action: 'secret_view', app: 'authentik.crypto.api', user: ctx.principal, request: ctx.request,
    context: { secret: secretReference(row), type },
  });
  const data = type === 'certificate' ? row.certificateData : row.keyData;
  if (new URL(ctx.request.url, 'http://localhost').searchParams.has('download')) {
    return ctx.reply
      .header('content-type', 'application/x-pem-file')
      .header('content-disposition', headerValue(`attachment; filename="${row.name}_${type}.pem"`))
      .send(data);
  }
  return { data };
}

async function generate(ctx: ApiContext, body: Json) {
  const commonName = String(body.common_name);
  const validityDays = Number(body.validity_days);
  // cryptography refuses an end before the start (a day ago) and Python dates end with year 9999: both were 500s.
  if (validityDays < -1) throw ValidationError.field('validity_days', 'Ensure this value is greater than or equal to -1.');
  const maxDays = Math.floor((LATEST_EXPIRY - Date.now()) / DAY_MS);
  if (validityDays > maxDays) throw ValidationError.field('validity_days', `Ensure this value is less than or equal to ${maxDays}.`);
  // Making an RSA 4096 key takes seconds: refuse a taken name before, not after (the insert still guards races).
  const [taken] = await ctx.services.db.select({ id: certificateKeyPairs.kpUuid }).from(certificateKeyPairs)
    .where(eq(certificateKeyPairs.name, commonName)).limit(1);
  if (taken) throw ValidationError.field('common_name', `${certificateKeyPairModel.verboseName} with this name already exists.`);
  const rawNames = typeof body.subject_alt_name === 'string' ? body.subject_alt_name : '';
  let built;
  try {
    built = await buildSelfSigned({ commonName, subjectAltNames: rawNames === '' ? [] : rawNames.split(','), validityDays });
  } catch (err) {
    if (err instanceof InvalidSubjectAltName) throw ValidationError.field('subject_alt_name', 'DNSName values should be passed as an A-label string.');
    throw err;
  }
  let row: CertificateKeyPairRow;
  try {
    [row] = await ctx.services.db.insert(certificateKeyPairs)
      .values({ name: commonName, certificateData: built.certificate, keyData: built.privateKey }).returning();
  } catch (err) {
    const translated = translateDatabaseError(err, certificateKeyPairModel);
    // The name is the common name here: blame the field the caller sent.
    if (translated instanceof ValidationError && 'name' in translated.fields) throw new ValidationError({ common_name: translated.fields.name });
    throw translated;
  }
  return (await certificateKeyPairModel.serialize([row], ctx))[0];
}

/**
 * A tenant's `web_certificate` refers to a keypair without a foreign key (core's table cannot name crypto's):
 * `used_by` lists those tenants and a delete clears the reference, as authentik's `SET_DEFAULT` (to null) does.
 */
registerUsedByResolver(async (ctx, model, pk) => {
  if (model.name !== certificateKeyPairModel.name) return [];
  const tenantModel = models.get('authentik_tenants.tenant');
  if (!tenantModel) return [];
  const rows = await ctx.services.db.select().from(tenants).where(eq(tenants.webCertificate, String(pk)));
  return rows.map((row) => usedByEntry(tenantModel as ModelDefinition<Json>, row, 'SET_DEFAULT'));
});

async function clearTenantReferences(tx: Db, row: CertificateKeyPairRow): Promise<void> {
  await tx.update(tenants).set({ webCertificate: null }).where(eq(tenants.webCertificate, row.kpUuid));
}

export const certificateKeyPairViewSet: ViewSet<CertificateKeyPairRow> = {
  model: certificateKeyPairModel,
  path: '/crypto/certificatekeypairs/',
  lookupParam: 'kp_uuid',
  lookupColumn: certificateKeyPairs.kpUuid,
  lookupType: 'uuid',
  requestSchema: 'CertificateKeyPairRequest',
  filters: {
    has_key: hasKeyFilter,
    managed: filters.exact(certificateKeyPairs.managed),
    name: filters.exact(certificateKeyPairs.name),
  },
  search: [certificateKeyPairs.name],
  // DRF's OrderingFilter without `ordering_fields` allows the serializer's readable model fields.
  ordering: { pk: certificateKeyPairs.kpUuid, name: certificateKeyPairs.name, managed: certificateKeyPairs.managed },
  defaultOrdering: ['name'],
  beforeDestroy: (tx, row) => clearTenantReferences(tx, row),
  actions: [
    {
      method: 'POST', path: 'generate', detail: false, access: 'superuser', requestSchema: 'CertificateGenerationRequest',
      handler: (ctx, _row, body) => generate(ctx, body),
    },
    {
      method: 'GET', path: 'view_certificate', detail: true, access: 'superuser',
      handler: (ctx, row) => viewSecret(ctx, row!, 'certificate'),
    },
    {
      method: 'GET', path: 'view_private_key', detail: true, access: 'superuser',
      handler: (ctx, row) => viewSecret(ctx, row!, 'private_key'),
    },
  ],
};
