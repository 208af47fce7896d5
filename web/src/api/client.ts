import type { components } from '../../../src/api/generated/schema';

/** The schema's component types, by name: `Schemas['Application']`. */
export type Schemas = components['schemas'];

export interface Paginated<T> {
  pagination: { next: number; previous: number; count: number; current: number; total_pages: number; start_index: number; end_index: number };
  results: T[];
}

/** A non-2xx answer of the API, with its body (authentik's validation errors are keyed by field). */
export class ApiError extends Error {
  constructor(readonly status: number, readonly body: unknown) {
    super(ApiError.describe(status, body));
  }

  static describe(status: number, body: unknown): string {
    if (body && typeof body === 'object') {
      const record = body as Record<string, unknown>;
      if (typeof record.detail === 'string') return record.detail;
      const nonField = record.non_field_errors;
      if (Array.isArray(nonField) && nonField.length) return nonField.map(String).join(' ');
      const fields = Object.entries(record).map(([key, value]) => `${key}: ${Array.isArray(value) ? value.join(' ') : typeof value === 'string' ? value : JSON.stringify(value)}`);
      if (fields.length) return fields.join('; ');
    }
    return `Request failed (HTTP ${status})`;
  }

  /** Field errors as lists of strings, for forms. */
  get fieldErrors(): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    if (this.body && typeof this.body === 'object') {
      for (const [key, value] of Object.entries(this.body as Record<string, unknown>)) {
        if (Array.isArray(value)) out[key] = value.map((v) => (typeof v === 'string' ? v : JSON.stringify(v)));
        else if (typeof value === 'string' && key !== 'detail') out[key] = [value];
        else if (value && typeof value === 'object') out[key] = [JSON.stringify(value)];
      }
    }
    return out;
  }
}

export function cookie(name: string): string | undefined {
  for (const part of document.cookie.split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return decodeURIComponent(rest.join('='));
  }
  return undefined;
}

type Query = Record<string, string | number | boolean | undefined | null | (string | number)[]>;

export function queryString(query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue;
    if (Array.isArray(value)) for (const v of value) params.append(key, String(v));
    else params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

/**
 * Calls `/api/v3<path>` with the browser's session: unsafe methods echo the `authentik_csrf` cookie in
 * `x-authentik-csrf`, as the server's session authentication requires.
 */
export async function api<T = unknown>(method: string, path: string, options: { query?: Query; body?: unknown } = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (!['GET', 'HEAD', 'OPTIONS'].includes(method)) {
    const csrf = cookie('authentik_csrf');
    if (csrf) headers['x-authentik-csrf'] = csrf;
  }
  let body: BodyInit | undefined;
  if (options.body instanceof FormData) body = options.body;
  else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] = 'application/json';
  }
  const response = await fetch(`/api/v3${path}${queryString(options.query)}`, { method, headers, body, credentials: 'same-origin' });
  const text = await response.text();
  let parsed: unknown = text;
  if (text && (response.headers.get('content-type') ?? '').includes('json')) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = text;
    }
  }
  if (!response.ok) throw new ApiError(response.status, parsed);
  return (text ? parsed : undefined) as T;
}

export const get = <T>(path: string, query?: Query) => api<T>('GET', path, { query });
