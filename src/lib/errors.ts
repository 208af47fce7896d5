/**
 * A one-line description of an error that is safe to print or log: database errors are reduced to the
 * server's message, because drizzle's own message repeats the query's parameters (password hashes, keys).
 */
export function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  if (err.name === 'DrizzleQueryError' && err.cause instanceof Error) return err.cause.message;
  return scrubQueryParameters(err.message);
}

const QUERY_PARAMETERS = /(Failed query: [\s\S]*?)\nparams: [\s\S]*$/;

/** Drops the `params: …` drizzle appends to a failed query's message, wherever such a message ended up. */
export function scrubQueryParameters(text: string): string {
  return text.replace(QUERY_PARAMETERS, '$1\nparams: [hidden]');
}

/**
 * Applies `scrubQueryParameters` to every string of a log record (a few levels deep): the logger's last line of
 * defence, since any code path may log an error's message as it got it.
 */
export function scrubLogRecord<T>(value: T, depth = 0): T {
  if (typeof value === 'string') return scrubQueryParameters(value) as T;
  if (value instanceof Error) return { message: describeError(value) } as T;
  if (depth > 4 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => scrubLogRecord(item, depth + 1)) as T;
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) copy[key] = scrubLogRecord(item, depth + 1);
  return copy as T;
}
