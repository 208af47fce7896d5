import type { DomainModule } from '../../domain.js';
import { registerProviderLaunchUrl } from '../../core/applications/providers.js';
import { loadProvider } from './provider-cache.js';
import { OAUTH2_PROVIDER_MODEL, oauth2ProviderModel, scopeMappingModel } from './model.js';
import {
  accessTokenModel, accessTokenViewSet, authorizationCodeModel, authorizationCodeViewSet, oauth2ProviderViewSet, refreshTokenModel,
  refreshTokenViewSet, scopeMappingViewSet,
} from './api.js';
import { oauth2Routes } from './routes.js';
import { documentsFastPath } from './views/documents-fast-path.js';

// authentik's `OAuth2Provider.launch_url`: the origin of the first redirect URI.
registerProviderLaunchUrl(OAUTH2_PROVIDER_MODEL, async (services, provider) => {
  const loaded = await loadProvider(services, provider.id);
  const first = loaded?.row.redirectUris[0];
  if (!first) return null;
  try {
    const url = new URL(first.url);
    return `${url.protocol}//${url.host}`;
  } catch {
    return null;
  }
});

export const oauth2Domain = {
  name: 'providers_oauth2',
  models: [oauth2ProviderModel, scopeMappingModel, authorizationCodeModel, accessTokenModel, refreshTokenModel],
  viewSets: [oauth2ProviderViewSet, scopeMappingViewSet, authorizationCodeViewSet, accessTokenViewSet, refreshTokenViewSet],
  routes(app, services) {
    oauth2Routes(app, services);
  },
  fastPath: documentsFastPath,
} satisfies DomainModule;
