import type { JsonSchema } from './models';

/** Where a reference field's objects are listed, and which of their fields is the value sent. */
export interface Reference {
  path: string;
  value: string;
}

// The schema names a foreign key only by its field; these are authentik's names for them.
const BY_NAME: [RegExp, Reference][] = [
  [/(^|_)flow$|^flow_|_flow_/, { path: '/flows/instances/', value: 'pk' }],
  [/^(provider|backchannel_providers|providers)$/, { path: '/providers/all/', value: 'pk' }],
  [/^(application)$/, { path: '/core/applications/', value: 'pk' }],
  [/^(stage|password_stage|configuration_stages|stages)$/, { path: '/stages/all/', value: 'pk' }],
  [/^(policy|validation_policies|policies)$/, { path: '/policies/all/', value: 'pk' }],
  [/^(group|groups|parent|destination_group|sync_parent_group|user_group)$/, { path: '/core/groups/', value: 'pk' }],
  [/^(user|users|created_by)$/, { path: '/core/users/', value: 'pk' }],
  [/^(roles)$/, { path: '/rbac/roles/', value: 'pk' }],
  [/(_kp|_key|certificate|keypair|signing_kp|verification_kp)$/, { path: '/crypto/certificatekeypairs/', value: 'pk' }],
  [/^(property_mappings|property_mappings_group|user_property_mappings|group_property_mappings)$/, { path: '/propertymappings/all/', value: 'pk' }],
  [/^(webhook_mapping|mapping)$/, { path: '/propertymappings/notification/', value: 'pk' }],
  [/^(sources|jwks_sources|source)$/, { path: '/sources/all/', value: 'pk' }],
  [/^(fields)$/, { path: '/stages/prompt/prompts/', value: 'pk' }],
  [/^(transports)$/, { path: '/events/transports/', value: 'pk' }],
  [/^(service_connection)$/, { path: '/outposts/service_connections/all/', value: 'pk' }],
  [/^(tenant)$/, { path: '/core/tenants/', value: 'tenant_uuid' }],
  [/^(outpost)$/, { path: '/outposts/instances/', value: 'pk' }],
];

// Fields whose names look like references but are plain values.
const NOT_REFERENCES = new Set(['client_id', 'client_secret', 'secret_key', 'api_key', 'private_key', 'integration_key', 'admin_integration_key', 'user_path_template', 'key', 'consumer_key', 'consumer_secret', 'flow_set', 'designation', 'certificate_data', 'key_data', 'sign_assertion']);

function isKeyLike(schema: JsonSchema): boolean {
  const item = schema.type === 'array' ? schema.items ?? {} : schema;
  return item.type === 'integer' || (item.type === 'string' && (item.format === 'uuid' || !item.format)) && !item.enum;
}

/** The collection a request field points into, when it is a foreign key (or a list of them). */
export function referenceOf(key: string, schema: JsonSchema): Reference | undefined {
  if (NOT_REFERENCES.has(key) || !isKeyLike(schema)) return undefined;
  const item = schema.type === 'array' ? schema.items ?? {} : schema;
  const match = BY_NAME.find(([pattern]) => pattern.test(key))?.[1];
  if (!match) return undefined;
  // A plain string that is not a uuid only counts for fields known to hold names (tenant's flows are uuids too).
  if (item.type === 'string' && item.format !== 'uuid' && !['user_group'].includes(key)) return undefined;
  return match;
}

/** How an object is named in lists and pickers. */
export function objectLabel(object: Record<string, unknown>): string {
  for (const key of ['username', 'name', 'title', 'identifier', 'domain', 'slug', 'field_key', 'key_data', 'verbose_name']) {
    const value = object[key];
    if (typeof value === 'string' && value) return value;
  }
  return String(object.pk ?? object.id ?? object.uuid ?? '');
}
