import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { CSRF_COOKIE, CSRF_HEADER } from '../core/sessions.js';

export interface FlowResponse {
  status: number;
  body: any;
  headers: Record<string, unknown>;
}

/** Checks a final (non-redirect) response, e.g. against the API schema. */
export type ResponseCheck = (method: string, url: string, status: number, body: unknown, contentType: string) => void;

/**
 * Drives the flow executor the way authentik's web UI does, in-process: GET the challenge, POST the response,
 * follow the executor's redirects to itself, and keep cookies between requests like a browser.
 */
export class FlowClient {
  readonly cookies = new Map<string, string>();

  constructor(private readonly app: FastifyInstance, private readonly check?: ResponseCheck, readonly headers: Record<string, string> = {}) {}

  private cookieHeader(): string | undefined {
    if (!this.cookies.size) return undefined;
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  private keepCookies(response: LightMyRequestResponse): void {
    for (const cookie of response.cookies as { name: string; value: string; expires?: Date; maxAge?: number }[]) {
      const expired = (cookie.expires && cookie.expires.getTime() <= Date.now()) || cookie.maxAge === 0 || cookie.value === '';
      if (expired) this.cookies.delete(cookie.name);
      else this.cookies.set(cookie.name, cookie.value);
    }
  }

  /** One request with the client's cookies (and the CSRF header on unsafe methods, as the UI sends it). */
  async request(method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    const all: Record<string, string> = { ...this.headers, ...headers };
    const cookie = this.cookieHeader();
    if (cookie) all.cookie = cookie;
    const csrf = this.cookies.get(CSRF_COOKIE);
    if (csrf && !['GET', 'HEAD'].includes(method)) all[CSRF_HEADER] = csrf;
    const options: InjectOptions = { method: method as InjectOptions['method'], url, headers: all };
    if (body !== undefined) {
      options.payload = JSON.stringify(body);
      all['content-type'] = 'application/json';
    }
    const response = await this.app.inject(options);
    this.keepCookies(response);
    return response;
  }

  private parse(method: string, url: string, response: LightMyRequestResponse): FlowResponse {
    const type = String(response.headers['content-type'] ?? '');
    const body = response.body === '' ? undefined : type.includes('json') ? response.json() : response.body;
    this.check?.(method, url, response.statusCode, body, type || 'application/json');
    return { status: response.statusCode, body, headers: response.headers };
  }

  /** A request that follows redirects (with GET, as `fetch` does) and checks the final answer. */
  async follow(method: string, url: string, body?: unknown): Promise<FlowResponse> {
    let response = await this.request(method, url, body);
    let current = url;
    for (let hops = 0; response.statusCode >= 301 && response.statusCode <= 308 && hops < 10; hops += 1) {
      current = String(response.headers.location);
      method = 'GET';
      response = await this.request('GET', current);
    }
    return this.parse(method, current, response);
  }

  executorUrl(slug: string, query = ''): string {
    return `/api/v3/flows/executor/${encodeURIComponent(slug)}/?query=${encodeURIComponent(query)}`;
  }

  /** The current challenge of a flow. */
  get(slug: string, query = ''): Promise<FlowResponse> {
    return this.follow('GET', this.executorUrl(slug, query));
  }

  /** Answers the current challenge; returns the next one (or the final redirect). */
  post(slug: string, body: Record<string, unknown>, query = ''): Promise<FlowResponse> {
    return this.follow('POST', this.executorUrl(slug, query), body);
  }

  /** An API call with the client's session (no token). */
  async api(method: string, path: string, body?: unknown): Promise<FlowResponse> {
    const url = `/api/v3${path}`;
    return this.parse(method, url, await this.request(method, url, body));
  }
}
