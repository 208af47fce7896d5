import {
  ACR_AUTHENTIK_DEFAULT, GRANT_TYPE_AUTHORIZATION_CODE, GRANT_TYPE_CLIENT_CREDENTIALS, GRANT_TYPE_DEVICE_CODE, GRANT_TYPE_IMPLICIT,
  GRANT_TYPE_PASSWORD, GRANT_TYPE_REFRESH_TOKEN, RESPONSE_MODES, RESPONSE_TYPES, SCOPE_OPENID,
} from './constants.js';
import { originAllowed } from './http.js';
import { issuerAt } from './id-token.js';
import type { LoadedProvider } from './provider-cache.js';

export type DocumentKind = 'discovery' | 'jwks';

/** A provider's discovery or JWKS document as sent: the JSON text, encoded once. */
export interface RenderedDocument {
  body: Buffer;
}

/** authentik's `ProviderInfoView.get_info`, as seen from `origin` (`scheme://host` the client used). */
export function discoveryDocument(provider: LoadedProvider, origin: string): Record<string, unknown> {
  const slug = encodeURIComponent(provider.application?.slug ?? '');
  const scopes = [...provider.scopeNames];
  if (!scopes.includes(SCOPE_OPENID)) scopes.push(SCOPE_OPENID);
  return {
    issuer: issuerAt(provider, origin) ?? null,
    authorization_endpoint: `${origin}/application/o/authorize/`,
    token_endpoint: `${origin}/application/o/token/`,
    userinfo_endpoint: `${origin}/application/o/userinfo/`,
    end_session_endpoint: `${origin}/application/o/${slug}/end-session/`,
    introspection_endpoint: `${origin}/application/o/introspect/`,
    revocation_endpoint: `${origin}/application/o/revoke/`,
    device_authorization_endpoint: `${origin}/application/o/device/`,
    response_types_supported: [...RESPONSE_TYPES],
    response_modes_supported: [...RESPONSE_MODES],
    jwks_uri: `${origin}/application/o/${slug}/jwks/`,
    grant_types_supported: [
      GRANT_TYPE_AUTHORIZATION_CODE, GRANT_TYPE_REFRESH_TOKEN, GRANT_TYPE_IMPLICIT, GRANT_TYPE_CLIENT_CREDENTIALS, GRANT_TYPE_PASSWORD, GRANT_TYPE_DEVICE_CODE,
    ],
    id_token_signing_alg_values_supported: [provider.signer.alg],
    subject_types_supported: ['public'],
    token_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic'],
    acr_values_supported: [ACR_AUTHENTIK_DEFAULT],
    scopes_supported: scopes,
    request_parameter_supported: false,
    claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'auth_time', 'acr'],
    claims_parameter_supported: false,
    code_challenge_methods_supported: ['plain', 'S256'],
    ...(provider.encryption ? { id_token_encryption_alg_values_supported: ['RSA-OAEP-256'], id_token_encryption_enc_values_supported: ['A256CBC-HS512'] } : {}),
  };
}

/** How many origins' discovery documents a provider keeps (a client may reach the server under many host names). */
const MAX_DOCUMENTS = 32;

/**
 * The document rendered once per provider and origin (the issuer and URLs depend on the host the client used);
 * it lives on the loaded provider, so it is dropped with it whenever the provider changes.
 */
export function renderedDocument(provider: LoadedProvider, kind: DocumentKind, origin: string): RenderedDocument {
  const key = kind === 'jwks' ? 'jwks' : `discovery ${origin}`;
  let rendered = provider.documents.get(key);
  if (!rendered) {
    const text = JSON.stringify(kind === 'jwks' ? provider.jwks : discoveryDocument(provider, origin));
    rendered = { body: Buffer.from(text, 'utf8') };
    if (provider.documents.size > MAX_DOCUMENTS) provider.documents.clear();
    provider.documents.set(key, rendered);
  }
  return rendered;
}

/**
 * The response headers of a document, in the order the route has always sent them: CORS for an allowed origin
 * (authentik's `cors_allow` on GET), then the type and length.
 */
export function documentHeaders(provider: LoadedProvider, rendered: RenderedDocument, origin: string | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  if (origin && originAllowed(origin, provider.corsOrigins)) {
    headers['access-control-allow-origin'] = origin;
    headers['access-control-allow-credentials'] = 'true';
  }
  headers['content-type'] = 'application/json';
  headers['content-length'] = String(rendered.body.length);
  return headers;
}

