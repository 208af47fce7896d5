import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../../../api/context.js';
import {
  ACR_AUTHENTIK_DEFAULT, GRANT_TYPE_AUTHORIZATION_CODE, GRANT_TYPE_CLIENT_CREDENTIALS, GRANT_TYPE_DEVICE_CODE, GRANT_TYPE_IMPLICIT,
  GRANT_TYPE_PASSWORD, GRANT_TYPE_REFRESH_TOKEN, RESPONSE_MODES, RESPONSE_TYPES, SCOPE_OPENID,
} from '../constants.js';
import { corsAllow } from '../http.js';
import { issuerOf, originOf } from '../id-token.js';
import { providerByApplicationSlug, type LoadedProvider } from '../provider-cache.js';

/** authentik's `ProviderInfoView.get_info`. */
export function discoveryDocument(provider: LoadedProvider, request: FastifyRequest): Record<string, unknown> {
  const origin = originOf(request);
  const slug = encodeURIComponent(provider.application?.slug ?? '');
  const scopes = [...provider.scopeNames];
  if (!scopes.includes(SCOPE_OPENID)) scopes.push(SCOPE_OPENID);
  return {
    issuer: issuerOf(provider, request) ?? null,
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

/**
 * Serves a document rendered once per provider and origin (the issuer and URLs depend on the host the client
 * used); the loaded provider, and the rendered text with it, is dropped whenever the provider changes.
 */
async function serveCached(services: Services, request: FastifyRequest, reply: FastifyReply, kind: 'discovery' | 'jwks') {
  const slug = (request.params as { slug: string }).slug;
  const provider = await providerByApplicationSlug(services, slug);
  if (!provider) return reply.code(404).send({ detail: 'Not found.' });
  const key = kind === 'jwks' ? 'jwks' : `discovery ${request.protocol}://${request.host}`;
  let body = provider.documents.get(key);
  if (body === undefined) {
    body = JSON.stringify(kind === 'jwks' ? provider.jwks : discoveryDocument(provider, request), null, 2);
    if (provider.documents.size > 32) provider.documents.clear();
    provider.documents.set(key, body);
  }
  corsAllow(request, reply, provider.row.redirectUris.map((u) => u.url));
  return reply.header('content-type', 'application/json').send(body);
}

export const discoveryView = (services: Services) => (request: FastifyRequest, reply: FastifyReply) => serveCached(services, request, reply, 'discovery');
export const jwksView = (services: Services) => (request: FastifyRequest, reply: FastifyReply) => serveCached(services, request, reply, 'jwks');
