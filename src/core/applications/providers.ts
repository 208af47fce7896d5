import { eq, inArray, or } from 'drizzle-orm';
import type { Services } from '../../api/context.js';
import type { Json, ModelDefinition } from '../../api/model.js';
import { models } from '../../api/registry.js';
import type { Db } from '../../db/database.js';
import { applications, providers } from '../table.js';

export type ProviderRow = typeof providers.$inferSelect;

/**
 * A provider type's launch URL (authentik's `Provider.launch_url`: an OAuth2 provider's redirect origin, a proxy
 * provider's external host), used when an application has no `meta_launch_url` of its own.
 */
export type ProviderLaunchUrl = (services: Services, provider: ProviderRow) => Promise<string | null>;
const launchUrls = new Map<string, ProviderLaunchUrl>();

/** A provider domain registers how its providers are launched; types without one have no launch URL. */
export function registerProviderLaunchUrl(modelName: string, launchUrl: ProviderLaunchUrl): void {
  launchUrls.set(modelName, launchUrl);
}

export async function providerLaunchUrl(services: Services, provider: ProviderRow): Promise<string | null> {
  const launchUrl = launchUrls.get(provider.model);
  return launchUrl ? launchUrl(services, provider) : null;
}

/**
 * The registered model of a provider type: a model whose rows extend the provider base table. The transactional
 * application API creates providers through it; a provider domain makes its type available by registering its
 * model in its manifest, nothing more.
 */
export function providerModelFor(modelName: string): ModelDefinition<Json> | undefined {
  const model = models.get(modelName);
  return model?.parent?.table === providers ? model : undefined;
}

/** authentik's web component for a provider type: `authentik_providers_oauth2.oauth2provider` → `ak-provider-oauth2-form`. */
export function providerComponent(modelName: string): string {
  const app = modelName.split('.')[0] ?? '';
  return `ak-provider-${app.replace(/^authentik_providers_/, '')}-form`;
}

/**
 * Renders providers as authentik's base `ProviderSerializer` (an application's `provider_obj` and
 * `backchannel_providers_obj`). The names of assigned applications are `""` when there is none: the schema types
 * them as plain strings.
 */
export async function serializeProviders(db: Db, rows: ProviderRow[]): Promise<Json[]> {
  if (!rows.length) return [];
  const ids = rows.map((r) => r.id);
  const backchannelIds = [...new Set(rows.map((r) => r.backchannelApplication).filter((id): id is string => Boolean(id)))];
  const assigned = await db.select({ pbmUuid: applications.pbmUuid, slug: applications.slug, name: applications.name, providerId: applications.providerId })
    .from(applications).where(or(inArray(applications.providerId, ids), backchannelIds.length ? inArray(applications.pbmUuid, backchannelIds) : undefined));
  const byProvider = new Map(assigned.filter((a) => a.providerId !== null).map((a) => [a.providerId!, a]));
  const byUuid = new Map(assigned.map((a) => [a.pbmUuid, a]));
  return rows.map((row) => {
    const model = models.get(row.model);
    const application = byProvider.get(row.id);
    const backchannel = row.backchannelApplication ? byUuid.get(row.backchannelApplication) : undefined;
    return {
      pk: row.id,
      name: row.name,
      authentication_flow: row.authenticationFlow,
      authorization_flow: row.authorizationFlow,
      property_mappings: [],
      component: providerComponent(row.model),
      assigned_application_slug: application?.slug ?? '',
      assigned_application_name: application?.name ?? '',
      assigned_backchannel_application_slug: backchannel?.slug ?? '',
      assigned_backchannel_application_name: backchannel?.name ?? '',
      verbose_name: model?.verboseName ?? row.model,
      verbose_name_plural: model?.verboseNamePlural ?? row.model,
      meta_model_name: row.model,
    };
  });
}

/** Makes `providerIds` the backchannel providers of an application, releasing the ones it had. */
export async function setBackchannelProviders(tx: Db, applicationId: unknown, providerIds: unknown): Promise<void> {
  const id = String(applicationId);
  await tx.update(providers).set({ backchannelApplication: null }).where(eq(providers.backchannelApplication, id));
  const ids = [...new Set(providerIds as number[])];
  if (ids.length) await tx.update(providers).set({ backchannelApplication: id }).where(inArray(providers.id, ids));
}
