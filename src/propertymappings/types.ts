import type { Json, ModelDefinition } from '../api/model.js';

/** What `/propertymappings/all/types/` and the base serializer say of a mapping type. */
export interface PropertyMappingType {
  /** authentik's model name, e.g. `authentik_providers_oauth2.scopemapping`. */
  modelName: string;
  component: string;
  verboseName: string;
  verboseNamePlural: string;
  description: string;
}

interface Registered {
  type: PropertyMappingType;
  model: ModelDefinition<any>;
}

const registered = new Map<string, Registered>();

/**
 * A domain that owns a mapping type (OAuth2 scopes, SAML, LDAP, SCIM…) registers it here; `/propertymappings/all/`
 * then lists, renders and tests its rows, and `types/` offers it.
 */
export function registerPropertyMappingType(type: PropertyMappingType, model: ModelDefinition<any>): void {
  registered.set(type.modelName, { type, model });
}

export function propertyMappingTypes(): PropertyMappingType[] {
  return [...registered.values()].map((r) => r.type);
}

export function propertyMappingTypeFor(modelName: string): PropertyMappingType | undefined {
  return registered.get(modelName)?.type;
}

export function propertyMappingModelFor(modelName: string): ModelDefinition<Json> | undefined {
  return registered.get(modelName)?.model;
}
