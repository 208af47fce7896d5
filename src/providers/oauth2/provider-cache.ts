import { eq, inArray } from 'drizzle-orm';
import type { Services } from '../../api/context.js';
import { selectRows } from '../../api/inheritance.js';
import { applications, providers } from '../../core/table.js';
import { certificateKeyPairs } from '../../crypto/table.js';
import { propertyMappings, providerPropertyMappings } from '../../propertymappings/table.js';
import { onPropertyMappingChange } from '../../propertymappings/model.js';
import type { JWK } from 'jose';
import { policyBindings } from '../../policies/table.js';
import { oauth2Providers, scopeMappings } from './table.js';
import { encryptionKeyOf, jwkOf, keyPairSigner, secretSigner, type EncryptionKey, type Signer } from './jwt.js';
import type { OAuth2ProviderRow } from './model.js';
import { allowedOrigins, type AllowedOrigin } from './http.js';
import type { RenderedDocument } from './documents.js';

export type ApplicationRow = typeof applications.$inferSelect;

export interface ScopeMappingInfo {
  pmUuid: string;
  name: string;
  expression: string;
  scopeName: string;
  description: string;
}

/**
 * A provider with what every protocol request needs of it, loaded once: its application, its scope mappings,
 * its imported signing key and its JWKS. Token, discovery and JWKS requests read it from memory.
 */
export interface LoadedProvider {
  row: OAuth2ProviderRow;
  application: ApplicationRow | undefined;
  scopes: ScopeMappingInfo[];
  scopeNames: Set<string>;
  signer: Signer;
  encryption?: EncryptionKey;
  jwks: { keys: JWK[] };
  /**
   * Whether the application has policy bindings. Without any, everyone may use it (authentik's
   * `AppAccessWithoutBindings`), and machine grants skip the policy engine.
   */
  applicationHasBindings: boolean;
  /** Rendered JSON documents per issuer origin (discovery) and the JWKS, built on first use. */
  documents: Map<string, RenderedDocument>;
  /** The origins of the redirect URIs (CORS: authentik's `cors_allow`), parsed once. */
  corsOrigins: AllowedOrigin[];
}

/**
 * How long a loaded provider is trusted. Writes through this server drop it at once; the bound covers changes this
 * process cannot see (another instance's writes, an application moved to another provider, a rotated keypair).
 */
const TTL_MS = 5_000;

interface Entry {
  loaded: Promise<LoadedProvider | undefined>;
  /** The loaded provider once `loaded` settled, for readers that cannot wait (the documents' fast path). */
  value?: LoadedProvider;
  at: number;
}

let generation = 0;
const byId = new Map<number, Entry>();
const idByClientId = new Map<string, { id: number | undefined; at: number }>();
const idBySlug = new Map<string, { id: number | undefined; at: number }>();

/** Drops every loaded provider (a provider, scope mapping or keypair changed). */
export function invalidateProviders(): void {
  generation++;
  byId.clear();
  idByClientId.clear();
  idBySlug.clear();
}

onPropertyMappingChange(() => invalidateProviders());

async function load(services: Services, id: number): Promise<LoadedProvider | undefined> {
  const db = services.db;
  const model = { table: oauth2Providers, parent: { table: providers, pk: providers.id, link: oauth2Providers.providerPtrId } };
  const [row] = (await selectRows(db, model as never).where(eq(providers.id, id)).limit(1)) as OAuth2ProviderRow[];
  if (!row) return undefined;
  const [application] = await db.select().from(applications).where(eq(applications.providerId, id)).limit(1);
  const [bindings, scopes, keyPairs] = await Promise.all([
    application
      ? db.select({ id: policyBindings.policyBindingUuid }).from(policyBindings).where(eq(policyBindings.targetId, application.pbmUuid)).limit(1)
      : [],
    db.select({
      pmUuid: propertyMappings.pmUuid, name: propertyMappings.name, expression: propertyMappings.expression,
      scopeName: scopeMappings.scopeName, description: scopeMappings.description,
    }).from(providerPropertyMappings)
      .innerJoin(scopeMappings, eq(scopeMappings.propertyMappingPtrId, providerPropertyMappings.propertyMappingId))
      .innerJoin(propertyMappings, eq(propertyMappings.pmUuid, providerPropertyMappings.propertyMappingId))
      .where(eq(providerPropertyMappings.providerId, id))
      .orderBy(scopeMappings.scopeName, propertyMappings.name),
    [row.signingKey, row.encryptionKey].some(Boolean)
      ? db.select().from(certificateKeyPairs).where(inArray(certificateKeyPairs.kpUuid, [row.signingKey, row.encryptionKey].filter((k): k is string => Boolean(k))))
      : [],
  ]);
  const signingPair = keyPairs.find((k) => k.kpUuid === row.signingKey);
  const encryptionPair = keyPairs.find((k) => k.kpUuid === row.encryptionKey);
  const signer = signingPair?.keyData ? await keyPairSigner(signingPair) : secretSigner(row.clientSecret);
  const keys: JWK[] = [];
  if (signingPair?.keyData) {
    const jwk = await jwkOf(signingPair, 'sig');
    if (jwk) keys.push(jwk);
  }
  if (encryptionPair) {
    const jwk = await jwkOf(encryptionPair, 'enc');
    if (jwk) keys.push(jwk);
  }
  return {
    row,
    application,
    scopes,
    scopeNames: new Set(scopes.map((s) => s.scopeName)),
    signer,
    encryption: encryptionPair ? encryptionKeyOf(encryptionPair) : undefined,
    jwks: { keys },
    applicationHasBindings: bindings.length > 0,
    documents: new Map(),
    corsOrigins: allowedOrigins(row.redirectUris.map((u) => u.url)),
  };
}

function fresh(at: number): boolean {
  return Date.now() - at < TTL_MS;
}

export function loadProvider(services: Services, id: number): Promise<LoadedProvider | undefined> {
  const entry = byId.get(id);
  if (entry && fresh(entry.at)) return entry.loaded;
  const started = generation;
  const loaded = load(services, id);
  const created: Entry = { loaded, at: Date.now() };
  byId.set(id, created);
  loaded.then((value) => {
    // A write that happened while this load ran may not be in it.
    if (started !== generation || !value) {
      if (byId.get(id) === created) byId.delete(id);
      return;
    }
    created.value = value;
  }, () => {
    if (byId.get(id) === created) byId.delete(id);
  });
  return loaded;
}

export async function providerByClientId(services: Services, clientId: string): Promise<LoadedProvider | undefined> {
  if (!clientId || clientId.length > 255) return undefined;
  let cached = idByClientId.get(clientId);
  if (!cached || !fresh(cached.at)) {
    const [row] = await services.db.select({ id: oauth2Providers.providerPtrId }).from(oauth2Providers).where(eq(oauth2Providers.clientId, clientId)).limit(1);
    cached = { id: row?.id, at: Date.now() };
    if (idByClientId.size > 10_000) idByClientId.clear();
    if (row) idByClientId.set(clientId, cached);
  }
  return cached.id === undefined ? undefined : loadProvider(services, cached.id);
}

/**
 * The provider of the application with `slug` if it is loaded and fresh, without waiting or querying: what the
 * documents' fast path serves from. Anything else (not loaded yet, stale, unknown) answers undefined, and the
 * request takes the normal route, which loads it.
 */
export function loadedProviderBySlug(slug: string): LoadedProvider | undefined {
  const cached = idBySlug.get(slug);
  if (!cached || cached.id === undefined || !fresh(cached.at)) return undefined;
  const entry = byId.get(cached.id);
  return entry && fresh(entry.at) ? entry.value : undefined;
}

/** The OAuth2 provider of the application with `slug`. */
export async function providerByApplicationSlug(services: Services, slug: string): Promise<LoadedProvider | undefined> {
  let cached = idBySlug.get(slug);
  if (!cached || !fresh(cached.at)) {
    const [row] = await services.db.select({ id: oauth2Providers.providerPtrId }).from(applications)
      .innerJoin(oauth2Providers, eq(oauth2Providers.providerPtrId, applications.providerId)).where(eq(applications.slug, slug)).limit(1);
    cached = { id: row?.id, at: Date.now() };
    if (idBySlug.size > 10_000) idBySlug.clear();
    if (row) idBySlug.set(slug, cached);
  }
  return cached.id === undefined ? undefined : loadProvider(services, cached.id);
}
