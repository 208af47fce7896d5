import type { Wire } from './wire.js';

/** Largest response body an expression may receive. */
export const MAX_RESPONSE_BYTES = 4 * 1024 * 1024;
/** Longest a request may take when the expression gives no timeout (still bounded by the evaluation's). */
const DEFAULT_TIMEOUT_MS = 10_000;
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/**
 * `requests` in expressions: the sandbox has no network, so the server makes the request. Only http and https,
 * a bounded time (the expression's timeout, never past the evaluation's deadline) and a bounded body; errors
 * come back prefixed with the requests exception they become (`Timeout:`, `ConnectionError:`).
 */
export async function guardedHttpRequest(args: Record<string, Wire>, deadline: number): Promise<Record<string, Wire>> {
  let url: URL;
  try {
    url = new URL(String(args.url ?? ''));
  } catch {
    throw new Error(`ConnectionError: invalid URL '${String(args.url ?? '')}'`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`ConnectionError: only http and https URLs can be requested, not ${url.protocol}`);
  const method = String(args.method ?? 'GET').toUpperCase();
  if (!METHODS.has(method)) throw new Error(`ConnectionError: unsupported method ${method}`);
  const left = deadline - Date.now();
  const requested = typeof args.timeout === 'number' && args.timeout > 0 ? args.timeout * 1000 : DEFAULT_TIMEOUT_MS;
  const timeout = Math.min(requested, left);
  if (timeout <= 0) throw new Error('Timeout: no time left for the request');
  const headers = new Headers();
  for (const [key, value] of Object.entries((args.headers ?? {}) as Record<string, Wire>)) headers.set(key, String(value));
  const body = typeof args.body === 'string' && method !== 'GET' && method !== 'HEAD' ? Buffer.from(args.body, 'base64') : undefined;
  const signal = AbortSignal.timeout(timeout);
  const started = Date.now();
  let response: Response;
  try {
    response = await fetch(url, { method, headers, body, redirect: args.allow_redirects === false ? 'manual' : 'follow', signal });
  } catch (err) {
    if (signal.aborted) throw new Error(`Timeout: no answer from ${url.host} within ${Math.round(timeout)} ms`);
    const cause = (err as { cause?: { message?: string } }).cause?.message ?? (err as Error).message;
    throw new Error(`ConnectionError: ${cause}`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  const reader = response.body?.getReader();
  try {
    for (;;) {
      const next = await reader?.read();
      if (!next || next.done) break;
      size += next.value.byteLength;
      if (size > MAX_RESPONSE_BYTES) {
        await reader!.cancel().catch(() => {});
        throw new Error(`ConnectionError: the response from ${url.host} is larger than ${MAX_RESPONSE_BYTES} bytes`);
      }
      chunks.push(Buffer.from(next.value));
    }
  } catch (err) {
    if (signal.aborted) throw new Error(`Timeout: the response from ${url.host} took longer than ${Math.round(timeout)} ms`);
    throw err;
  }
  const responseHeaders: Record<string, Wire> = {};
  response.headers.forEach((value, key) => (responseHeaders[key] = value));
  return {
    status: response.status,
    reason: response.statusText,
    url: response.url || url.toString(),
    headers: responseHeaders,
    body: Buffer.concat(chunks).toString('base64'),
    elapsed_ms: Date.now() - started,
  };
}
