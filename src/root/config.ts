import { accessSync, constants, mkdirSync } from 'node:fs';
import { type Config, mediaPath } from '../config/index.js';

/** authentik's `Capabilities`: what the UI may offer on this server. */
export type Capability = 'can_save_media' | 'can_geo_ip' | 'can_asn' | 'can_impersonate' | 'can_debug' | 'is_enterprise';

export interface ErrorReportingSettings {
  enabled: boolean;
  sentry_dsn: string;
  environment: string;
  send_pii: boolean;
  traces_sample_rate: number;
}

export interface PublicConfig {
  error_reporting: ErrorReportingSettings;
  capabilities: Capability[];
  cache_timeout: number;
  cache_timeout_flows: number;
  cache_timeout_policies: number;
  cache_timeout_reputation: number;
}

/**
 * authentik offers media uploads only on a mounted volume, since its containers lose everything else. Here the
 * media folder lives in the persistent data folder by default, so uploads are offered whenever it is writable.
 */
function canSaveMedia(config: Config): boolean {
  try {
    const folder = mediaPath(config);
    mkdirSync(folder, { recursive: true });
    accessSync(folder, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Users can be impersonated when `impersonation` is on, debug tools exist in debug mode. GeoIP/ASN lookups and
 * the enterprise app do not exist here, so those capabilities are never offered.
 */
export function capabilities(config: Config): Capability[] {
  const caps: Capability[] = [];
  if (canSaveMedia(config)) caps.push('can_save_media');
  if (config.impersonation) caps.push('can_impersonate');
  if (config.debug) caps.push('can_debug');
  return caps;
}

export function publicConfig(config: Config): PublicConfig {
  const { error_reporting: reporting, cache } = config;
  return {
    error_reporting: {
      enabled: reporting.enabled,
      sentry_dsn: reporting.sentry_dsn,
      environment: reporting.environment,
      send_pii: reporting.send_pii,
      traces_sample_rate: reporting.sample_rate,
    },
    capabilities: capabilities(config),
    cache_timeout: cache.timeout,
    cache_timeout_flows: cache.timeout_flows,
    cache_timeout_policies: cache.timeout_policies,
    cache_timeout_reputation: cache.timeout_reputation,
  };
}
