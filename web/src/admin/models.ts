import metadata from '../generated/models.json';

/** A JSON schema of the OpenAPI document, loosely typed: the admin reads it at run time. */
export interface JsonSchema {
  type?: string;
  format?: string;
  enum?: (string | null)[];
  nullable?: boolean;
  readOnly?: boolean;
  writeOnly?: boolean;
  description?: string;
  title?: string;
  default?: unknown;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  pattern?: string;
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  additionalProperties?: boolean | JsonSchema;
  required?: string[];
  allOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  $ref?: string;
}

export interface CollectionAction {
  name: string;
  method: string;
  request: string | null;
  description: string;
}

/** A model's API collection (`/core/applications/`), as read from the schema's paths by web/scripts/models.mjs. */
export interface Collection {
  path: string;
  tag: string;
  schema: string;
  description: string;
  lookup: string | null;
  search: boolean;
  ordering: boolean;
  filters: { name: string; type: string; enum: string[] | null; description: string }[];
  create: string | null;
  update: string | null;
  retrieve: boolean;
  destroy: boolean;
  usedBy: boolean;
  actions: CollectionAction[];
}

const data = metadata as unknown as { version: string; collections: Collection[]; schemas: Record<string, JsonSchema> };

export const collections = data.collections;
export const schemaVersion = data.version;

export function collection(path: string): Collection | undefined {
  return collections.find((c) => c.path === path);
}

export function schemaByName(name: string): JsonSchema {
  const schema = data.schemas[name];
  if (!schema) throw new Error(`schema ${name} is not in the API schema`);
  return schema;
}

/** Follows `$ref` and single-member `allOf` (how the schema attaches descriptions to enums), keeping the outer flags. */
export function resolve(schema: JsonSchema): JsonSchema {
  if (schema.$ref) return { ...resolve(schemaByName(schema.$ref.split('/').pop()!)), ...withoutKeys(schema, ['$ref']) };
  if (schema.allOf?.length === 1) return { ...resolve(schema.allOf[0]), ...withoutKeys(schema, ['allOf']) };
  return schema;
}

function withoutKeys(schema: JsonSchema, keys: (keyof JsonSchema)[]): JsonSchema {
  const copy = { ...schema };
  for (const key of keys) delete copy[key];
  return copy;
}

/** An enum's choices with the labels of its description (`* \`value\` - Label`). */
export function enumOptions(schema: JsonSchema): { value: string; label: string }[] {
  const resolved = resolve(schema);
  const labels = new Map<string, string>();
  for (const match of (resolved.description ?? '').matchAll(/^\* `([^`]*)` - (.*)$/gm)) labels.set(match[1], match[2]);
  return (resolved.enum ?? []).filter((v): v is string => v !== null).map((value) => ({ value, label: labels.get(value) ?? value }));
}

/** A property's help text without the enum's value list. */
export function helpText(schema: JsonSchema): string {
  return (schema.description ?? resolve(schema).description ?? '').replace(/\n*^\* `[^`]*` - .*$/gm, '').trim();
}

export function splitWords(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .replace(/_/g, ' ')
    .replace(/\bO Auth/g, 'OAuth')
    .replace(/^./, (c) => c.toUpperCase());
}

const ACRONYMS: Record<string, string> = { url: 'URL', uuid: 'UUID', pk: 'ID', saml: 'SAML', ldap: 'LDAP', acs: 'ACS', sla: 'SLA', mfa: 'MFA', ip: 'IP', id: 'ID', uid: 'UID', jwks: 'JWKS', scim: 'SCIM', oauth: 'OAuth', api: 'API', tls: 'TLS', sso: 'SSO', uri: 'URI', uris: 'URIs' };

export function fieldLabel(key: string): string {
  return splitWords(key).split(' ').map((word) => ACRONYMS[word.toLowerCase()] ?? word).join(' ');
}

/** "OAuth2 Provider" for `/providers/oauth2/`. */
export function modelName(c: Collection): string {
  if (c.path.endsWith('/all/')) return `${fieldLabel(c.path.split('/')[1]).replace(/s$/, '')} (any type)`;
  return splitWords(c.schema);
}

export function pluralName(c: Collection): string {
  const name = modelName(c);
  if (name.endsWith('(any type)')) return `All ${c.path.split('/')[1].replace(/^./, (x) => x.toUpperCase())}`;
  if (/[^aeiou]y$/.test(name)) return `${name.slice(0, -1)}ies`;
  if (/(s|x|ch)$/.test(name)) return `${name}es`;
  return `${name}s`;
}

/**
 * The concrete collection of an object listed by a polymorphic `/…/all/` collection: its `meta_model_name`
 * (`authentik_stages_password.passwordstage`) names its model, whose serializer is that collection's schema.
 */
export function concreteCollection(metaModelName: string | undefined, parent: Collection): Collection | undefined {
  const model = metaModelName?.split('.').pop()?.toLowerCase();
  if (!model) return undefined;
  const prefix = parent.path.replace(/all\/$/, '');
  const candidates = collections.filter((c) => c.schema.toLowerCase() === model);
  return candidates.find((c) => c.path.startsWith(prefix)) ?? candidates[0];
}

/** The concrete collections a polymorphic collection lists (`/stages/all/` → every stage type with a create). */
export function subtypeCollections(parent: Collection): Collection[] {
  const prefix = parent.path.replace(/all\/$/, '');
  return collections.filter((c) => c !== parent && c.path.startsWith(prefix) && c.create && !c.path.slice(prefix.length, -1).includes('/'))
    .concat(parent.path === '/stages/all/' ? collections.filter((c) => c.path.startsWith('/stages/authenticator/') && c.create) : [])
    .concat(parent.path === '/stages/all/' ? collections.filter((c) => ['/stages/invitation/stages/', '/stages/prompt/stages/'].includes(c.path)) : [])
    .filter((c, i, all) => all.indexOf(c) === i);
}

export const isPolymorphic = (c: Collection) => c.path.endsWith('/all/');
