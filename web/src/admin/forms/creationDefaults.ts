import { useEffect, useState } from 'react';
import { get, type Paginated } from '../../api/client';

type Values = Record<string, unknown>;

/** The scope mappings authentik's OAuth2 provider form selects for a new provider. */
const DEFAULT_SCOPES = ['openid', 'email', 'profile'].map((scope) => `goauthentik.io/providers/oauth2/scope-${scope}`);

/** Values a new object of a request schema starts with beyond the schema's own defaults, as authentik's forms fill them. */
async function creationDefaults(schemaName: string): Promise<Values> {
  if (schemaName !== 'OAuth2ProviderRequest') return {};
  const mappings = await get<Paginated<{ pk: string; managed?: string | null }>>('/propertymappings/scope/', { page_size: 100 });
  return { property_mappings: mappings.results.filter((m) => m.managed && DEFAULT_SCOPES.includes(m.managed)).map((m) => m.pk) };
}

/** The creation defaults of a schema once loaded (undefined meanwhile); a failed look-up leaves the form empty rather than blocked. */
export function useCreationDefaults(schemaName: string | null | undefined): Values | undefined {
  const [loaded, setLoaded] = useState<{ schemaName: string; values: Values }>();
  useEffect(() => {
    if (!schemaName) return;
    let current = true;
    creationDefaults(schemaName).catch(() => ({})).then((values) => {
      if (current) setLoaded({ schemaName, values });
    });
    return () => {
      current = false;
    };
  }, [schemaName]);
  return loaded && loaded.schemaName === schemaName ? loaded.values : undefined;
}
