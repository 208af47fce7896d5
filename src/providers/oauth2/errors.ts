/** RFC 6749 / OIDC Core error descriptions, as authentik words them. */
const DESCRIPTIONS: Record<string, string> = {
  invalid_request: 'The request is otherwise malformed',
  invalid_client: 'Client authentication failed (e.g., unknown client, no client authentication included, or unsupported authentication method)',
  invalid_grant: 'The provided authorization grant or refresh token is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client',
  unauthorized_client: 'The client is not authorized to use this authorization grant type',
  unsupported_grant_type: 'The authorization grant type is not supported by the authorization server',
  invalid_scope: 'The requested scope is invalid, unknown, or malformed',
  access_denied: 'The resource owner or authorization server denied the request',
  unsupported_response_type: 'The authorization server does not support obtaining an authorization code using this method',
  server_error: 'The authorization server encountered an unexpected condition that prevented it from fulfilling the request',
  temporarily_unavailable: 'The authorization server is currently unable to handle the request due to a temporary overloading or maintenance of the server',
  interaction_required: 'The Authorization Server requires End-User interaction of some form to proceed',
  login_required: 'The Authorization Server requires End-User authentication',
  account_selection_required: 'The End-User is required to select a session at the Authorization Server',
  consent_required: 'The Authorization Server requires End-User consent',
  invalid_request_uri: 'The request_uri in the Authorization Request returns an error or contains invalid data',
  invalid_request_object: 'The request parameter contains an invalid Request Object',
  request_not_supported: 'The OP does not support use of the request parameter',
  request_uri_not_supported: 'The OP does not support use of the request_uri parameter',
  registration_not_supported: 'The OP does not support use of the registration parameter',
  authorization_pending: 'The authorization request is still pending as the end user hasn\'t yet completed the user-interaction steps',
  slow_down: 'A variant of "authorization_pending", the authorization request is still pending and polling should continue, but the interval MUST be increased by 5 seconds for this and all subsequent requests.',
  expired_token: 'The "device_code" has expired, and the device authorization session has concluded.',
  invalid_token: 'The access token provided is expired, revoked, malformed, or invalid for other reasons.',
  insufficient_scope: 'The request requires higher privileges than provided by the access token.',
};

/** An OAuth error a protocol endpoint answers with (`{error, error_description}`). */
export class OAuthError extends Error {
  readonly description: string;

  constructor(readonly error: string, description?: string, readonly status = 400) {
    super(description ?? DESCRIPTIONS[error] ?? error);
    this.description = description ?? DESCRIPTIONS[error] ?? error;
  }

  body(): Record<string, string> {
    return { error: this.error, error_description: this.description };
  }
}

/** A failed token request; `invalid_client` is answered 401 with a challenge (RFC 6749 §5.2). */
export class TokenError extends OAuthError {
  constructor(error: string, description?: string) {
    super(error, description, error === 'invalid_client' ? 401 : 400);
  }
}

/**
 * An authorization request error that can be sent back to the client's (registered) redirect URI; `redirectUri`
 * is empty when it cannot, and the user sees an error page.
 */
export class AuthorizeError extends OAuthError {
  constructor(readonly redirectUri: string, error: string, readonly grantType: string, readonly state: string | undefined, description?: string) {
    super(error, description);
  }
}

/** The client or redirect URI cannot be trusted: never redirect, show an error page. */
export class AuthorizePageError extends Error {
  constructor(readonly title: string, readonly description: string) {
    super(description);
  }
}

export function errorDescription(error: string): string {
  return DESCRIPTIONS[error] ?? error;
}
