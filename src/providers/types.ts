/** What `/providers/all/types/` says of a provider type, and how `/providers/all/` filters it. */
export interface ProviderType {
  /** authentik's model name, e.g. `authentik_providers_oauth2.oauth2provider`. */
  modelName: string;
  verboseName: string;
  verboseNamePlural: string;
  description: string;
  component: string;
  /** A backchannel-only type (SCIM): attached to applications as a backchannel provider, never as their main one. */
  backchannel?: boolean;
}

const registered = new Map<string, ProviderType>();

/** Each provider domain (OAuth2, SAML, LDAP, proxy…) registers its type here for `/providers/all/`. */
export function registerProviderType(type: ProviderType): void {
  registered.set(type.modelName, type);
}

export function providerTypes(): ProviderType[] {
  return [...registered.values()];
}

export function providerTypeFor(modelName: string): ProviderType | undefined {
  return registered.get(modelName);
}
