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

/**
 * The OAuth source domain registers how to read its sources' JWKS (`oidc_jwks`); until it does, `jwks_sources`
 * are stored but no JWT can be verified with them.
 */
export function registerJwksSourceResolver(next: JwksSourceResolver | undefined): void {
  resolver = next;
}

export async function jwksSources(services: Services, ids: string[]): Promise<JwksSource[]> {
  if (!ids.length || !resolver) return [];
  return resolver(services, ids);
}
