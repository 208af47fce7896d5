import createClient from 'openapi-fetch';
import { Configuration } from '@goauthentik/api';
import type { paths } from '../../src/api/generated/schema.js';
import { checkResponse } from './contract.js';
import { ADMIN_TOKEN } from './app.js';

/**
 * A fetch that checks every answer against the schema's operation, so the real clients below are held to the
 * contract at run time as well as at compile time.
 */
export function checkingFetch(): typeof fetch {
  return async (input, init) => {
    const request = new Request(input, init);
    const response = await fetch(request);
    const contentType = response.headers.get('content-type') ?? '';
    const text = await response.clone().text();
    const body = text === '' ? undefined : contentType.includes('json') ? JSON.parse(text) : text;
    checkResponse(request.method, request.url, response.status, body, contentType || 'application/json');
    return response;
  };
}

/** openapi-fetch over types generated from authentik's 2023.10 schema. */
export function typedClient(baseUrl: string, token = ADMIN_TOKEN) {
  return createClient<paths>({
    baseUrl: `${baseUrl}/api/v3`,
    headers: { authorization: `Bearer ${token}` },
    fetch: checkingFetch(),
  });
}

/** authentik's own generated TypeScript client (early-2024 schema). */
export function goauthentikConfiguration(baseUrl: string, token = ADMIN_TOKEN): Configuration {
  // The generated operations send `Authorization` from `apiKey` (security scheme "authentik": an API key header).
  return new Configuration({ basePath: `${baseUrl}/api/v3`, apiKey: `Bearer ${token}`, fetchApi: checkingFetch() });
}
