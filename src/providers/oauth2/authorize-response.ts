import type { FastifyRequest } from 'fastify';
import type { Services } from '../../api/context.js';
import { recordEvent } from '../../events/record.js';
import { PROMPT_CONSENT, PROMPT_NONE, TOKEN_TYPE } from './constants.js';
import { AuthorizeError } from './errors.js';
import type { AuthorizationParams } from './authorize-params.js';
import { newCode } from './authorize-params.js';
import { authorizationCodes } from './table.js';
import { atHash, issueAccessToken, newChain, signIdToken } from './grants.js';
import { hashSessionKey, lastLogin, type IdTokenClaims, type UserRow } from './id-token.js';
import { halfHash } from './jwt.js';
import { durationMs } from './duration.js';
import type { LoadedProvider } from './provider-cache.js';

/** Where the user goes back to: a redirect URL, or (form_post) a page that POSTs `attrs` to `url`. */
export type AuthorizationResult = { kind: 'redirect'; url: string } | { kind: 'form_post'; url: string; attrs: Record<string, string> };

/** An error as the client's redirect URI receives it (RFC 6749 §4.1.2.1), in the request's response mode. */
export function errorResult(error: AuthorizeError, mode: AuthorizationParams['responseMode']): AuthorizationResult {
  const values: Record<string, string> = { error: error.error, error_description: error.description };
  if (error.state) values.state = error.state;
  return withValues(error.redirectUri, mode, values);
}

function withValues(redirectUri: string, mode: AuthorizationParams['responseMode'], values: Record<string, string>): AuthorizationResult {
  if (mode === 'form_post') return { kind: 'form_post', url: redirectUri, attrs: values };
  const url = new URL(redirectUri);
  if (mode === 'fragment') {
    const fragment = new URLSearchParams(url.hash.replace(/^#/, ''));
    for (const [key, value] of Object.entries(values)) fragment.set(key, value);
    url.hash = fragment.toString();
  } else {
    for (const [key, value] of Object.entries(values)) url.searchParams.set(key, value);
  }
  return { kind: 'redirect', url: url.toString() };
}

export interface FulfillmentInput {
  services: Services;
  provider: LoadedProvider;
  params: AuthorizationParams;
  user: UserRow;
  sessionKey: string | undefined;
  request?: FastifyRequest;
  flowPk?: string;
}

/**
 * authentik's `OAuthFulfillmentStage`: the code and/or tokens for the response type, in the response mode, once
 * the authorization flow has run. Errors go back to the (already verified) redirect URI.
 */
export async function fulfillAuthorization(input: FulfillmentInput): Promise<AuthorizationResult> {
  const { services, provider, params, user } = input;
  try {
    if (params.prompt.includes(PROMPT_NONE) && params.prompt.includes(PROMPT_CONSENT)) {
      throw new AuthorizeError(params.redirectUri, 'consent_required', params.grantType, params.state ?? undefined);
    }
    const application = provider.application;
    await recordEvent(services, {
      action: 'authorize_application', user, request: input.request,
      context: {
        authorized_application: application ? { pk: application.pbmUuid.replace(/-/g, ''), app: 'authentik_core', model_name: 'application', name: application.name } : null,
        flow: input.flowPk?.replace(/-/g, '') ?? null,
        scopes: params.scope.join(' '),
      },
    }).catch(() => undefined);
    const login = await lastLogin(services, user.id);
    const authTime = login?.created ?? new Date();
    const sessionId = input.sessionKey ? hashSessionKey(input.sessionKey) : null;
    const chain = newChain();
    let code: string | undefined;
    if (params.grantType === 'authorization_code' || params.grantType === 'hybrid') {
      code = newCode();
      await services.db.insert(authorizationCodes).values({
        providerId: provider.row.id, userId: user.id, scope: params.scope.join(' '), authTime, sessionId, chain,
        expires: new Date(Date.now() + durationMs(provider.row.accessCodeValidity)),
        code, nonce: params.nonce, codeChallenge: params.codeChallenge, codeChallengeMethod: params.codeChallenge ? params.codeChallengeMethod : null,
        redirectUri: params.redirectUri,
      });
    }
    const state = params.state ?? '';
    if (params.grantType === 'authorization_code') return withValues(params.redirectUri, params.responseMode, { code: code!, state });
    const values: Record<string, string> = {};
    const issued = await issueAccessToken(services, provider, {
      user, scope: params.scope, authTime, sessionId, chain, request: input.request, nonce: params.nonce, loginContext: login?.context,
    });
    const idToken: IdTokenClaims = { ...issued.idToken };
    if (code && params.responseType.includes('id_token')) idToken.c_hash = halfHash(code);
    if (params.responseType.split(' ').includes('token')) {
      values.access_token = issued.token;
      idToken.at_hash = atHash(issued.token);
    }
    if (params.responseType.includes('id_token')) values.id_token = await signIdToken(provider, idToken);
    if (code) values.code = code;
    values.token_type = TOKEN_TYPE;
    values.expires_in = String(issued.expiresIn);
    values.state = state;
    return withValues(params.redirectUri, params.responseMode, values);
  } catch (err) {
    if (err instanceof AuthorizeError) return errorResult(err, params.responseMode);
    throw err;
  }
}
