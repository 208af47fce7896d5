import type { JWK } from 'jose';
import type { Services } from '../../api/context.js';

/** What a provider needs of an OAuth source to trust JWTs it signed: its keys, and where its users live. */
export interface JwksSource {
  pk: string;
  slug: string;
  keys: JWK[];
  userPath: string;
}

export type JwksSourceResolver = (services: Services, sourceIds: string[]) => Promise<JwksSource[]>;

let resolver: JwksSourceResolver | undefined;

/** Lets the OAuth source domain say how to read its sources' JWKS; without it, its tables are read by name. */
export function registerJwksSourceResolver(next: JwksSourceResolver | undefined): void {
  resolver = next;
}

interface SourceRow {
  pk: string;
  slug: string;
  user_path_template: string | null;
  oidc_jwks: { keys?: unknown } | null;
}

/**
 * The configured sources with a JWKS (authentik's `oidc_jwks`), read from authentik's tables
 * (`authentik_core_source`, `authentik_sources_oauth_oauthsource`) when they exist: the sources are another
 * domain's, found by name as the provider's validation finds them, so that no import of it is needed.
 */
async function sourcesFromTables(services: Services, ids: string[]): Promise<JwksSource[]> {
  const [present] = await services.database.query<{ exists: boolean }>(
    `select to_regclass('authentik_sources_oauth_oauthsource') is not null and to_regclass('authentik_core_source') is not null as "exists"`,
  );
  if (!present?.exists) return [];
  const rows = await services.database.query<SourceRow>(
    `select s.pbm_uuid::text as pk, s.slug, s.user_path_template, o.oidc_jwks
       from authentik_sources_oauth_oauthsource o join authentik_core_source s on s.pbm_uuid = o.source_ptr_id
      where o.source_ptr_id::text = any($1::text[]) and o.oidc_jwks is not null
      order by s.slug`,
    [ids],
  );
  return rows.map((row) => ({
    pk: row.pk,
    slug: row.slug,
    keys: Array.isArray(row.oidc_jwks?.keys) ? (row.oidc_jwks.keys as JWK[]) : [],
    // authentik's `Source.get_user_path`: the template with the source's slug.
    userPath: (row.user_path_template || 'goauthentik.io/sources/%(slug)s').replace(/%\(slug\)s/g, row.slug),
  }));
}

export async function jwksSources(services: Services, ids: string[]): Promise<JwksSource[]> {
  if (!ids.length) return [];
  return (resolver ?? sourcesFromTables)(services, ids);
}
