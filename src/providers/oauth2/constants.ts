/** authentik's OAuth2 constants (`authentik/providers/oauth2/constants.py`). */
export const GRANT_TYPE_AUTHORIZATION_CODE = 'authorization_code';
export const GRANT_TYPE_IMPLICIT = 'implicit';
export const GRANT_TYPE_REFRESH_TOKEN = 'refresh_token';
export const GRANT_TYPE_CLIENT_CREDENTIALS = 'client_credentials';
export const GRANT_TYPE_PASSWORD = 'password';
export const GRANT_TYPE_DEVICE_CODE = 'urn:ietf:params:oauth:grant-type:device_code';

export const CLIENT_ASSERTION_TYPE = 'client_assertion_type';
export const CLIENT_ASSERTION = 'client_assertion';
export const CLIENT_ASSERTION_TYPE_JWT = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

export const PROMPT_NONE = 'none';
export const PROMPT_CONSENT = 'consent';
export const PROMPT_LOGIN = 'login';

export const PKCE_METHOD_PLAIN = 'plain';
export const PKCE_METHOD_S256 = 'S256';

export const SCOPE_OPENID = 'openid';
export const SCOPE_OFFLINE_ACCESS = 'offline_access';

export const TOKEN_TYPE = 'Bearer';
export const ACR_AUTHENTIK_DEFAULT = 'goauthentik.io/providers/oauth2/default';

export const AMR_PASSWORD = 'pwd';
export const AMR_MFA = 'mfa';
export const AMR_OTP = 'otp';
export const AMR_WEBAUTHN = 'user';

export const RESPONSE_TYPES = ['code', 'id_token', 'id_token token', 'code token', 'code id_token', 'code id_token token'] as const;
export type ResponseType = (typeof RESPONSE_TYPES)[number];
export const RESPONSE_MODES = ['query', 'fragment', 'form_post'] as const;
export type ResponseMode = (typeof RESPONSE_MODES)[number];

export const SUB_MODES = ['hashed_user_id', 'user_id', 'user_uuid', 'user_username', 'user_email', 'user_upn'] as const;
export type SubMode = (typeof SUB_MODES)[number];

/** Plan context keys the authorization flow carries (authentik's names). */
export const PLAN_CONTEXT_PARAMS = 'goauthentik.io/providers/oauth2/params';
export const PLAN_CONTEXT_APPLICATION = 'application';
export const PLAN_CONTEXT_SSO = 'is_sso';
export const PLAN_CONTEXT_CONSENT_HEADER = 'consent_header';
export const PLAN_CONTEXT_CONSENT_PERMISSIONS = 'consent_permissions';

/** Session keys of this provider. */
export const SESSION_KEY_LAST_LOGIN_UID = 'authentik/providers/oauth2/last_login_uid';
export const SESSION_KEY_DEVICE_CODE = 'authentik/providers/oauth2/device_code';

export const FORBIDDEN_URI_SCHEMES = new Set(['javascript', 'data', 'vbscript']);
