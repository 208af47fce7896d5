import { randomInt } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import type { ModelContext } from '../../api/context.js';
import type { Json, ModelDefinition } from '../../api/model.js';
import { ErrorCollector } from '../../api/errors.js';
import { doesNotExist, firstMissing } from '../../api/references.js';
import { providers } from '../../core/table.js';
import { executeRows } from '../../db/database.js';
import type { ProviderRow } from '../../core/applications/providers.js';
import { certificateKeyPairs } from '../../crypto/table.js';
import { propertyMappings } from '../../propertymappings/table.js';
import { definePropertyMappingModel } from '../../propertymappings/model.js';
import { serializeProviderBase, setProviderPropertyMappings } from '../api.js';
import { registerProviderType } from '../types.js';
import { oauth2Providers, scopeMappings, type RedirectUri } from './table.js';
import { parseDuration } from './duration.js';
import { cleanRedirectUris, redirectUriProblems, redirectUrisFromLines, redirectUrisToLines } from './redirect-uris.js';
import { invalidateProviders } from './provider-cache.js';

export type OAuth2ProviderRow = ProviderRow & typeof oauth2Providers.$inferSelect;
export type ScopeMappingRow = typeof propertyMappings.$inferSelect & typeof scopeMappings.$inferSelect;

const ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** authentik's `generate_id`: letters and digits from a CSPRNG. */
export function generateId(length = 40): string {
  let out = '';
  for (let i = 0; i < length; i++) out += ID_ALPHABET[randomInt(ID_ALPHABET.length)];
  return out;
}

export const OAUTH2_PROVIDER_MODEL = 'authentik_providers_oauth2.oauth2provider';

registerProviderType({
  modelName: OAUTH2_PROVIDER_MODEL,
  verboseName: 'OAuth2/OpenID Provider',
  verboseNamePlural: 'OAuth2/OpenID Providers',
  description: 'OAuth2 Provider for generic OAuth and OpenID Connect Applications.',
  component: 'ak-provider-oauth2-form',
});

const VALIDITY_FIELDS = ['access_code_validity', 'access_token_validity', 'refresh_token_validity'] as const;
/** Where the writer finds the object form of `redirect_uris` once `normalizeRequest` moved it out of the schema's way. */
const REDIRECT_OBJECTS = '_redirect_uris';

async function validateProvider(data: Json, ctx: ModelContext, existing: OAuth2ProviderRow | undefined): Promise<void> {
  const errors = new ErrorCollector();
  for (const field of VALIDITY_FIELDS) {
    if (typeof data[field] !== 'string') continue;
    try {
      parseDuration(data[field] as string);
    } catch (err) {
      errors.add(field, (err as Error).message);
    }
  }
  if (REDIRECT_OBJECTS in data) {
    for (const problem of redirectUriProblems(data[REDIRECT_OBJECTS])) errors.add('redirect_uris', problem);
  }
  const db = ctx.services.db;
  for (const field of ['signing_key', 'encryption_key'] as const) {
    const value = data[field];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'string' || !/^[0-9a-f-]{36}$/i.test(value)) {
      errors.add(field, 'Must be a valid UUID.');
      continue;
    }
    const [pair] = await db.select({ keyData: certificateKeyPairs.keyData }).from(certificateKeyPairs).where(eq(certificateKeyPairs.kpUuid, value)).limit(1);
    if (!pair) errors.add(field, `Invalid pk "${value}" - object does not exist.`);
    else if (field === 'signing_key' && !pair.keyData) errors.add(field, 'Invalid certificate-key pair, must have private key');
  }
  const missingMapping = Array.isArray(data.property_mappings) ? await firstMissing(db, propertyMappings.pmUuid, data.property_mappings as string[]) : undefined;
  if (missingMapping) errors.add('property_mappings', doesNotExist(missingMapping));
  if (Array.isArray(data.jwks_sources) && data.jwks_sources.length) {
    const missing = await missingJwksSources(ctx, data.jwks_sources as string[]);
    if (missing) errors.add('jwks_sources', `Invalid pk "${missing}" - object does not exist.`);
  }
  errors.throwIfAny();
  invalidateProviders();
  void existing;
}

/**
 * OAuth sources are another domain's: checked through the table when it exists, by name so that no import is
 * needed. Read through the write's transaction (`ctx.services.db`): PGlite would wait forever for a second query.
 */
async function missingJwksSources(ctx: ModelContext, ids: string[]): Promise<string | undefined> {
  const db = ctx.services.db;
  const [table] = await executeRows<{ exists: boolean }>(db, sql`select to_regclass('authentik_sources_oauth_oauthsource') is not null as "exists"`);
  if (!table?.exists) return ids[0];
  const found = await executeRows<{ id: string }>(db, sql`select source_ptr_id::text as id from authentik_sources_oauth_oauthsource where source_ptr_id::text in ${ids}`);
  const present = new Set(found.map((r) => r.id));
  return ids.find((id) => !present.has(id));
}

export function serializeOAuth2Fields(row: OAuth2ProviderRow): Json {
  return {
    client_type: row.clientType,
    client_id: row.clientId,
    client_secret: row.clientSecret,
    access_code_validity: row.accessCodeValidity,
    access_token_validity: row.accessTokenValidity,
    refresh_token_validity: row.refreshTokenValidity,
    include_claims_in_id_token: row.includeClaimsInIdToken,
    signing_key: row.signingKey,
    redirect_uris: redirectUrisToLines(row.redirectUris),
    sub_mode: row.subMode,
    issuer_mode: row.issuerMode,
    jwks_sources: row.jwksSources,
  };
}

export const oauth2ProviderModel: ModelDefinition<OAuth2ProviderRow> = {
  name: OAUTH2_PROVIDER_MODEL,
  verboseName: 'OAuth2/OpenID Provider',
  verboseNamePlural: 'OAuth2/OpenID Providers',
  table: oauth2Providers,
  parent: { table: providers, pk: providers.id, link: oauth2Providers.providerPtrId, values: { model: OAUTH2_PROVIDER_MODEL } },
  requestSchema: 'OAuth2ProviderRequest',
  pk: providers.id,
  fields: {
    name: { column: providers.name },
    authentication_flow: { column: providers.authenticationFlow },
    authorization_flow: { column: providers.authorizationFlow },
    client_type: { column: oauth2Providers.clientType },
    client_id: { column: oauth2Providers.clientId },
    client_secret: { column: oauth2Providers.clientSecret },
    access_code_validity: { column: oauth2Providers.accessCodeValidity },
    access_token_validity: { column: oauth2Providers.accessTokenValidity },
    refresh_token_validity: { column: oauth2Providers.refreshTokenValidity },
    include_claims_in_id_token: { column: oauth2Providers.includeClaimsInIdToken },
    signing_key: { column: oauth2Providers.signingKey },
    encryption_key: { column: oauth2Providers.encryptionKey },
    redirect_uris: { column: oauth2Providers.redirectUris, parse: (value) => redirectUrisFromLines(String(value ?? '')) },
    [REDIRECT_OBJECTS]: { column: oauth2Providers.redirectUris, parse: (value) => cleanRedirectUris(value as unknown[]) },
    sub_mode: { column: oauth2Providers.subMode },
    issuer_mode: { column: oauth2Providers.issuerMode },
    jwks_sources: { column: oauth2Providers.jwksSources, parse: (value) => [...new Set((value as string[] | null) ?? [])] },
  },
  relations: { property_mappings: setProviderPropertyMappings },
  uniqueFields: {
    authentik_core_provider_name_unique: 'name',
    authentik_providers_oauth2_oauth2provider_client_id_unique: 'client_id',
  },
  /**
   * `redirect_uris` also takes the object form of later authentik versions (`[{matching_mode, url}]`), which the
   * 2023.10 schema types as a string: the list is moved aside, checked by `validate` and stored as it is.
   */
  normalizeRequest(body) {
    if (!Array.isArray(body.redirect_uris)) {
      const { [REDIRECT_OBJECTS]: _ignored, ...rest } = body;
      return rest;
    }
    const { redirect_uris: objects, ...rest } = body;
    return { ...rest, [REDIRECT_OBJECTS]: objects };
  },
  displayName: (row) => row.name,
  async serialize(rows, ctx) {
    const base = await serializeProviderBase(ctx.services.db, rows);
    return rows.map((row, i) => ({ ...base[i], ...serializeOAuth2Fields(row) }));
  },
  validate: validateProvider,
  defaults: () => ({ clientId: generateId(40), clientSecret: generateId(128) }),
};

export const SCOPE_MAPPING_MODEL = 'authentik_providers_oauth2.scopemapping';

export const scopeMappingModel = definePropertyMappingModel<typeof scopeMappings.$inferSelect>({
  type: {
    modelName: SCOPE_MAPPING_MODEL,
    component: 'ak-property-mapping-scope-form',
    verboseName: 'Scope Mapping',
    verboseNamePlural: 'Scope Mappings',
    description: 'Map an OAuth Scope to users properties',
  },
  table: scopeMappings,
  link: scopeMappings.propertyMappingPtrId,
  requestSchema: 'ScopeMappingRequest',
  fields: {
    scope_name: { column: scopeMappings.scopeName },
    description: { column: scopeMappings.description },
  },
  serialize: (row) => ({ scope_name: row.scopeName, description: row.description }),
  validate() {
    invalidateProviders();
  },
});

export type { RedirectUri };
