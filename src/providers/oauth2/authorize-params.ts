import { randomUUID } from 'node:crypto';
import type { Services } from '../../api/context.js';
import { oauth2Providers } from './table.js';
import { eq } from 'drizzle-orm';
import {
  FORBIDDEN_URI_SCHEMES, GRANT_TYPE_AUTHORIZATION_CODE, PKCE_METHOD_PLAIN, PKCE_METHOD_S256, PROMPT_CONSENT, PROMPT_LOGIN, PROMPT_NONE,
  RESPONSE_MODES, SCOPE_OFFLINE_ACCESS, SCOPE_OPENID, type ResponseMode, type ResponseType,
} from './constants.js';
import { AuthorizeError, AuthorizePageError } from './errors.js';
import { invalidateProviders, providerByClientId, type LoadedProvider } from './provider-cache.js';
import { redirectUriAllowed } from './redirect-uris.js';

export type GrantKind = 'authorization_code' | 'implicit' | 'hybrid';

/** authentik's `OAuthAuthorizationParams`, as kept in the flow plan's context (JSON). */
export interface AuthorizationParams {
  clientId: string;
  redirectUri: string;
  responseType: ResponseType;
  responseMode: ResponseMode;
  grantType: GrantKind;
  scope: string[];
  state: string | null;
  nonce: string | null;
  prompt: string[];
  maxAge: number | null;
  codeChallenge: string | null;
  codeChallengeMethod: string | null;
}

const GRANTS: Record<string, GrantKind> = {
  code: 'authorization_code',
  id_token: 'implicit',
  'id_token token': 'implicit',
  'code token': 'hybrid',
  'code id_token': 'hybrid',
  'code id_token token': 'hybrid',
};

const ALLOWED_PROMPTS = new Set([PROMPT_NONE, PROMPT_CONSENT, PROMPT_LOGIN]);
const ID_TOKEN_TYPES = new Set(['id_token', 'id_token token', 'code id_token', 'code id_token token']);
const CODE_TYPES = new Set(['code', 'code token', 'code id_token', 'code id_token token']);

/** `response_type` with its words in any order, as OAuth allows, in the form the table above names. */
function normaliseResponseType(value: string): string {
  const words = value.split(/\s+/).filter(Boolean);
  const order = ['code', 'id_token', 'token'];
  return words.sort((a, b) => order.indexOf(a) - order.indexOf(b)).join(' ');
}

/**
 * Parses and checks an authorization request (authentik's `OAuthAuthorizationParams.from_request` and its
 * checks). A bad client or redirect URI throws `AuthorizePageError` (the user sees a page, nothing is sent to an
 * unverified URI); anything else found after the redirect URI is trusted throws `AuthorizeError` (sent back to it).
 */
export async function parseAuthorization(services: Services, query: Record<string, string>): Promise<{ params: AuthorizationParams; provider: LoadedProvider }> {
  const clientId = query.client_id ?? '';
  let provider = await providerByClientId(services, clientId);
  if (!provider) throw new AuthorizePageError('Client ID Error', `Invalid client identifier: ${clientId}.`);
  const redirectUri = query.redirect_uri ?? '';
  if (!redirectUri) throw new AuthorizePageError('Redirect URI Error', 'The request fails due to a missing, invalid, or mismatching redirection URI (redirect_uri).');
  if (!provider.row.redirectUris.length) {
    // authentik's first-use rule: a provider without redirect URIs takes the first one it is used with.
    await services.db.update(oauth2Providers).set({ redirectUris: [{ matching_mode: 'strict', url: redirectUri }] })
      .where(eq(oauth2Providers.providerPtrId, provider.row.id));
    invalidateProviders();
    provider = (await providerByClientId(services, clientId))!;
  }
  let scheme = '';
  try {
    scheme = new URL(redirectUri).protocol.replace(/:$/, '');
  } catch {
    scheme = '';
  }
  if (!redirectUriAllowed(provider.row.redirectUris, redirectUri) || !scheme || FORBIDDEN_URI_SCHEMES.has(scheme)) {
    throw new AuthorizePageError('Redirect URI Error', 'The request fails due to a missing, invalid, or mismatching redirection URI (redirect_uri).');
  }
  const state = query.state ?? null;
  const responseType = normaliseResponseType(query.response_type ?? '');
  const grantType = GRANTS[responseType];
  if (!grantType) throw new AuthorizeError(redirectUri, 'unsupported_response_type', '', state ?? undefined);
  let responseMode = (query.response_mode ?? '') as ResponseMode;
  if (!RESPONSE_MODES.includes(responseMode)) responseMode = grantType === GRANT_TYPE_AUTHORIZATION_CODE ? 'query' : 'fragment';
  const prompt = new Set((query.prompt ?? '').split(/\s+/).filter((p) => ALLOWED_PROMPTS.has(p)));
  let scope = [...new Set((query.scope ?? '').split(/\s+/).filter(Boolean))];
  if (!scope.length) scope = [...provider.scopeNames];
  scope = scope.filter((s) => provider.scopeNames.has(s));
  const fail = (error: string, description?: string) => new AuthorizeError(redirectUri, error, grantType, state ?? undefined, description);
  if (!scope.includes(SCOPE_OPENID) && (grantType === 'hybrid' || ID_TOKEN_TYPES.has(responseType) && !CODE_TYPES.has(responseType))) throw fail('invalid_scope');
  if (scope.includes(SCOPE_OFFLINE_ACCESS)) {
    prompt.add(PROMPT_CONSENT);
    if (!CODE_TYPES.has(responseType)) scope = scope.filter((s) => s !== SCOPE_OFFLINE_ACCESS);
  }
  const nonce = query.nonce ?? null;
  if (ID_TOKEN_TYPES.has(responseType) && scope.includes(SCOPE_OPENID) && !nonce) throw fail('invalid_request');
  const codeChallenge = query.code_challenge || null;
  const codeChallengeMethod = codeChallenge ? (query.code_challenge_method || PKCE_METHOD_PLAIN) : null;
  if (codeChallenge && codeChallengeMethod !== PKCE_METHOD_PLAIN && codeChallengeMethod !== PKCE_METHOD_S256) {
    throw fail('invalid_request', `Unsupported challenge method ${codeChallengeMethod}`);
  }
  // Public clients cannot keep a secret: only PKCE ties the code to the client that asked for it.
  if (provider.row.clientType === 'public' && CODE_TYPES.has(responseType) && !codeChallenge) throw fail('invalid_request', 'PKCE is required for public clients');
  if (query.request) throw fail('request_not_supported');
  const maxAge = query.max_age !== undefined && /^\d+$/.test(query.max_age) ? Number(query.max_age) : null;
  return {
    provider,
    params: {
      clientId, redirectUri, responseType: responseType as ResponseType, responseMode, grantType, scope, state, nonce,
      prompt: [...prompt], maxAge, codeChallenge, codeChallengeMethod,
    },
  };
}

export function newCode(): string {
  return randomUUID().replace(/-/g, '');
}
