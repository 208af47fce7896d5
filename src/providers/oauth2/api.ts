import { eq, inArray, sql, type SQL } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import type { ApiContext } from '../../api/context.js';
import type { Json, ModelDefinition } from '../../api/model.js';
import type { ViewSet } from '../../api/viewset.js';
import { filters } from '../../api/filters.js';
import { ValidationError } from '../../api/errors.js';
import { selectRows } from '../../api/inheritance.js';
import { applications, providers, users } from '../../core/table.js';
import { userModel } from '../../core/users/model.js';
import { providerPropertyMappings } from '../../propertymappings/table.js';
import { propertyMappings } from '../../propertymappings/table.js';
import { propertyMappingChanged } from '../../propertymappings/model.js';
import { oauth2ProviderModel, scopeMappingModel, type OAuth2ProviderRow, type ScopeMappingRow } from './model.js';
import { accessTokens, authorizationCodes, oauth2Providers, refreshTokens, scopeMappings } from './table.js';
import { invalidateProviders, loadProvider } from './provider-cache.js';
import { buildIdToken, issuerOf, originOf } from './id-token.js';
import { durationMs } from './duration.js';
import { redirectUrisFromLines } from './redirect-uris.js';

function booleanFilter(field: string) {
  return (column: Parameters<typeof filters.boolean>[0]) => (value: string) => {
    try {
      return filters.boolean(column)(value, undefined as never, [value]);
    } catch {
      throw ValidationError.field(field, 'Enter a valid boolean.');
    }
  };
}

export const oauth2ProviderViewSet: ViewSet<OAuth2ProviderRow> = {
  model: oauth2ProviderModel,
  path: '/providers/oauth2/',
  lookupParam: 'id',
  lookupColumn: providers.id,
  lookupType: 'integer',
  filters: {
    name: filters.exact(providers.name),
    authorization_flow: filters.uuid(providers.authorizationFlow),
    client_type: filters.exact(oauth2Providers.clientType),
    client_id: filters.exact(oauth2Providers.clientId),
    access_code_validity: filters.exact(oauth2Providers.accessCodeValidity),
    access_token_validity: filters.exact(oauth2Providers.accessTokenValidity),
    refresh_token_validity: filters.exact(oauth2Providers.refreshTokenValidity),
    include_claims_in_id_token: booleanFilter('include_claims_in_id_token')(oauth2Providers.includeClaimsInIdToken),
    signing_key: filters.uuid(oauth2Providers.signingKey),
    sub_mode: filters.exact(oauth2Providers.subMode),
    issuer_mode: filters.exact(oauth2Providers.issuerMode),
    application: (value) => sql`exists (select 1 from ${applications} where ${applications.providerId} = ${providers.id} and ${applications.pbmUuid}::text = ${value})`,
    redirect_uris: (value) => sql`${oauth2Providers.redirectUris} @> ${JSON.stringify(redirectUrisFromLines(value))}::jsonb`,
    property_mappings: (_value, _ctx, all) => sql`exists (select 1 from ${providerPropertyMappings} where ${providerPropertyMappings.providerId} = ${providers.id} and ${providerPropertyMappings.propertyMappingId}::text in ${all})`,
  },
  search: [providers.name],
  ordering: { name: providers.name },
  defaultOrdering: ['name'],
  afterCommit: () => invalidateProviders(),
  async beforeDestroy() {
    invalidateProviders();
  },
  actions: [
    {
      method: 'GET', path: 'setup_urls', detail: true, access: 'superuser',
      async handler(ctx, row) {
        const provider = await loadProvider(ctx.services, row!.id);
        const origin = originOf(ctx.request);
        const slug = provider?.application?.slug;
        const app = slug ? `${origin}/application/o/${encodeURIComponent(slug)}` : undefined;
        return {
          issuer: (provider && issuerOf(provider, ctx.request)) ?? '',
          authorize: `${origin}/application/o/authorize/`,
          token: `${origin}/application/o/token/`,
          user_info: `${origin}/application/o/userinfo/`,
          provider_info: app ? `${app}/.well-known/openid-configuration` : '',
          logout: app ? `${app}/end-session/` : '',
          jwks: app ? `${app}/jwks/` : '',
        };
      },
    },
    {
      method: 'GET', path: 'preview_user', detail: true, access: 'superuser',
      async handler(ctx, row) {
        const query = ctx.request.query as Record<string, string | undefined>;
        const userId = query.for_user !== undefined ? Number(query.for_user) : ctx.principal.id;
        const [user] = Number.isInteger(userId) ? await ctx.services.db.select().from(users).where(eq(users.id, userId)).limit(1) : [];
        if (!user) return { status: 400 };
        const provider = await loadProvider(ctx.services, row!.id);
        if (!provider) return { status: 400 };
        const preview = await buildIdToken(ctx.services, provider, {
          user, scope: [...provider.scopeNames], expires: new Date(Date.now() + durationMs(provider.row.accessTokenValidity)), authTime: new Date(), request: ctx.request,
        });
        return { preview };
      },
    },
  ],
};

export const scopeMappingViewSet: ViewSet<ScopeMappingRow> = {
  model: scopeMappingModel,
  path: '/propertymappings/scope/',
  lookupParam: 'pm_uuid',
  lookupColumn: propertyMappings.pmUuid,
  lookupType: 'uuid',
  filters: {
    name: filters.exact(propertyMappings.name),
    scope_name: filters.exact(scopeMappings.scopeName),
    managed: (_value, _ctx, all) => inArray(propertyMappings.managed, all),
  },
  search: [propertyMappings.name, scopeMappings.scopeName, scopeMappings.description],
  ordering: { scope_name: scopeMappings.scopeName, name: propertyMappings.name },
  defaultOrdering: ['scope_name', 'name'],
  afterCommit: (ctx) => propertyMappingChanged(ctx.services.db, undefined),
  async beforeDestroy(tx, row) {
    propertyMappingChanged(tx, row.pmUuid);
  },
};

type GrantRow = {
  id: number; providerId: number; userId: number; revoked: boolean; scope: string; expires: Date; expiring: boolean; idToken?: string;
};

/** The grant's provider and user, rendered with their own serializers, once per page. */
async function renderGrants(rows: GrantRow[], ctx: ApiContext | Parameters<ModelDefinition['serialize']>[1], withToken: boolean): Promise<Json[]> {
  const db = ctx.services.db;
  const providerIds = [...new Set(rows.map((r) => r.providerId))];
  const userIds = [...new Set(rows.map((r) => r.userId))];
  const [providerRows, userRows] = await Promise.all([
    providerIds.length ? selectRows(db, oauth2ProviderModel).where(inArray(providers.id, providerIds)) : [],
    userIds.length ? db.select().from(users).where(inArray(users.id, userIds)) : [],
  ]);
  const [renderedProviders, renderedUsers] = await Promise.all([
    oauth2ProviderModel.serialize(providerRows as OAuth2ProviderRow[], ctx),
    userModel.serialize(userRows, ctx),
  ]);
  const providerById = new Map(renderedProviders.map((p) => [Number(p.pk), p]));
  const userById = new Map(renderedUsers.map((u) => [Number(u.pk), u]));
  return rows.map((row) => ({
    pk: row.id,
    provider: providerById.get(row.providerId),
    user: userById.get(row.userId),
    is_expired: row.expiring && row.expires.getTime() <= Date.now(),
    expires: row.expires.toISOString(),
    scope: row.scope.split(' ').filter(Boolean),
    ...(withToken ? { id_token: row.idToken ?? '{}', revoked: row.revoked } : {}),
  }));
}

function grantModel<Row extends GrantRow & Json>(name: string, verbose: string, plural: string, table: PgTable & { id: never }, pk: never, withToken: boolean): ModelDefinition<Row> {
  return {
    name, verboseName: verbose, verboseNamePlural: plural, table, pk, fields: {},
    displayName: (row) => `${verbose} ${row.id}`,
    serialize: (rows, ctx) => renderGrants(rows, ctx, withToken),
  };
}

export const authorizationCodeModel = grantModel<typeof authorizationCodes.$inferSelect>(
  'authentik_providers_oauth2.authorizationcode', 'Authorization Code', 'Authorization Codes', authorizationCodes as never, authorizationCodes.id as never, false,
);
export const accessTokenModel = grantModel<typeof accessTokens.$inferSelect>(
  'authentik_providers_oauth2.accesstoken', 'OAuth2 Access Token', 'OAuth2 Access Tokens', accessTokens as never, accessTokens.id as never, true,
);
export const refreshTokenModel = grantModel<typeof refreshTokens.$inferSelect>(
  'authentik_providers_oauth2.refreshtoken', 'OAuth2 Refresh Token', 'OAuth2 Refresh Tokens', refreshTokens as never, refreshTokens.id as never, true,
);

function grantViewSet<Row extends GrantRow & Json>(
  model: ModelDefinition<Row>, path: string, table: typeof accessTokens | typeof refreshTokens | typeof authorizationCodes,
): ViewSet<Row> {
  const username: SQL = sql`(select ${users.username} from ${users} where ${users.id} = ${table.userId})`;
  const providerName: SQL = sql`(select ${providers.name} from ${providers} where ${providers.id} = ${table.providerId})`;
  return {
    model,
    path,
    lookupParam: 'id',
    lookupColumn: table.id,
    lookupType: 'integer',
    operations: ['list', 'retrieve', 'destroy', 'used_by'],
    // A user sees, and may revoke, only their own grants; superusers see all.
    scope: (ctx) => eq(table.userId, ctx.principal.id),
    filters: { user: filters.integer(table.userId), provider: filters.integer(table.providerId) },
    search: [username, providerName],
    ordering: { provider: table.providerId, expires: table.expires },
    defaultOrdering: ['expires'],
  };
}

export const authorizationCodeViewSet = grantViewSet(authorizationCodeModel, '/oauth2/authorization_codes/', authorizationCodes);
export const accessTokenViewSet = grantViewSet(accessTokenModel, '/oauth2/access_tokens/', accessTokens);
export const refreshTokenViewSet = grantViewSet(refreshTokenModel, '/oauth2/refresh_tokens/', refreshTokens);

