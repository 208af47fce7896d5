import { sql } from 'drizzle-orm';
import { boolean, index, integer, jsonb, pgTable, serial, text, timestamp, uuid, varchar } from 'drizzle-orm/pg-core';
import { providers, users } from '../../core/table.js';
import { certificateKeyPairs } from '../../crypto/table.js';
import { propertyMappings } from '../../propertymappings/table.js';

/** One allowed redirect URI: compared as it is (`strict`) or as a fully matching regular expression (`regex`). */
export interface RedirectUri {
  matching_mode: 'strict' | 'regex';
  url: string;
}

export const oauth2Providers = pgTable('authentik_providers_oauth2_oauth2provider', {
  providerPtrId: integer('provider_ptr_id').primaryKey().references(() => providers.id, { onDelete: 'cascade' }),
  clientType: text('client_type').notNull().default('confidential'),
  clientId: varchar('client_id', { length: 255 }).notNull().unique(),
  clientSecret: varchar('client_secret', { length: 255 }).notNull().default(''),
  redirectUris: jsonb('redirect_uris').$type<RedirectUri[]>().notNull().default(sql`'[]'::jsonb`),
  includeClaimsInIdToken: boolean('include_claims_in_id_token').notNull().default(true),
  accessCodeValidity: text('access_code_validity').notNull().default('minutes=1'),
  accessTokenValidity: text('access_token_validity').notNull().default('hours=1'),
  refreshTokenValidity: text('refresh_token_validity').notNull().default('days=30'),
  subMode: text('sub_mode').notNull().default('hashed_user_id'),
  issuerMode: text('issuer_mode').notNull().default('per_provider'),
  signingKey: uuid('signing_key_id').references(() => certificateKeyPairs.kpUuid, { onDelete: 'set null' }),
  encryptionKey: uuid('encryption_key_id').references(() => certificateKeyPairs.kpUuid, { onDelete: 'set null' }),
  /** OAuth sources whose JWKS may sign client_credentials assertions (sources live in another domain: no foreign key). */
  jwksSources: jsonb('jwks_sources').$type<string[]>().notNull().default(sql`'[]'::jsonb`),
});

export const scopeMappings = pgTable('authentik_providers_oauth2_scopemapping', {
  propertyMappingPtrId: uuid('propertymapping_ptr_id').primaryKey().references(() => propertyMappings.pmUuid, { onDelete: 'cascade' }),
  scopeName: text('scope_name').notNull(),
  description: text('description').notNull().default(''),
});

/**
 * Columns every grant shares (authentik's `BaseGrantModel` + `ExpiringModel`). `chain` links a code with every
 * token issued from it, and refresh tokens with their successors, so that a replayed code or a reused refresh
 * token revokes all of them.
 */
const grantColumns = () => ({
  id: serial('id').primaryKey(),
  providerId: integer('provider_id').notNull().references(() => oauth2Providers.providerPtrId, { onDelete: 'cascade' }),
  userId: integer('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
  revoked: boolean('revoked').notNull().default(false),
  scope: text('scope').notNull().default(''),
  authTime: timestamp('auth_time', { withTimezone: true }).notNull(),
  /** SHA-256 of the browser session's key (the ID token's `sid`), when the grant came from one. */
  sessionId: text('session_id'),
  chain: uuid('chain'),
  expires: timestamp('expires', { withTimezone: true }).notNull(),
  expiring: boolean('expiring').notNull().default(true),
});

export const authorizationCodes = pgTable('authentik_providers_oauth2_authorizationcode', {
  ...grantColumns(),
  code: varchar('code', { length: 255 }).notNull().unique(),
  nonce: text('nonce'),
  codeChallenge: varchar('code_challenge', { length: 255 }),
  codeChallengeMethod: varchar('code_challenge_method', { length: 255 }),
  redirectUri: text('redirect_uri').notNull().default(''),
}, (t) => [
  index('authentik_providers_oauth2_authorizationcode_chain_idx').on(t.chain),
  index('authentik_providers_oauth2_authorizationcode_expires_idx').on(t.expires),
]);

export const accessTokens = pgTable('authentik_providers_oauth2_accesstoken', {
  ...grantColumns(),
  token: text('token').notNull(),
  /** The ID token's claims as JSON (authentik's `_id_token`). */
  idToken: text('id_token').notNull().default('{}'),
}, (t) => [
  index('authentik_providers_oauth2_accesstoken_token_idx').using('hash', t.token),
  index('authentik_providers_oauth2_accesstoken_chain_idx').on(t.chain),
  index('authentik_providers_oauth2_accesstoken_expires_idx').on(t.expires),
]);

export const refreshTokens = pgTable('authentik_providers_oauth2_refreshtoken', {
  ...grantColumns(),
  token: varchar('token', { length: 255 }).notNull().unique(),
  idToken: text('id_token').notNull().default('{}'),
}, (t) => [
  index('authentik_providers_oauth2_refreshtoken_chain_idx').on(t.chain),
  index('authentik_providers_oauth2_refreshtoken_expires_idx').on(t.expires),
]);

export const deviceTokens = pgTable('authentik_providers_oauth2_devicetoken', {
  id: serial('id').primaryKey(),
  providerId: integer('provider_id').notNull().references(() => oauth2Providers.providerPtrId, { onDelete: 'cascade' }),
  userId: integer('user_id').references(() => users.id, { onDelete: 'cascade' }),
  deviceCode: text('device_code').notNull().unique(),
  userCode: text('user_code').notNull().unique(),
  scope: text('scope').notNull().default(''),
  authTime: timestamp('auth_time', { withTimezone: true }),
  sessionId: text('session_id'),
  expires: timestamp('expires', { withTimezone: true }).notNull(),
  expiring: boolean('expiring').notNull().default(true),
}, (t) => [index('authentik_providers_oauth2_devicetoken_expires_idx').on(t.expires)]);
