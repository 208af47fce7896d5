/**
 * Makes event context storable and safe, as authentik's `sanitize_dict` + `cleanse_dict`: values become JSON,
 * and anything under a key that looks like a secret is replaced.
 */
const HIDDEN_KEY = /API|TOKEN|KEY|SECRET|PASS|SIGNATURE/i;
/** "passing" contains "PASS" but is a policy result, not a secret. */
const ALLOWED_KEY = /passing/i;
export const CLEANSED = '********************';

function sanitizeValue(value: unknown, seen: WeakSet<object>): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  if (value instanceof URL) return value.toString();
  if (typeof value === 'function' || typeof value === 'symbol') return String(value);
  if (value instanceof Map) return sanitizeValue(Object.fromEntries(value), seen);
  if (value instanceof Set) return sanitizeValue([...value], seen);
  if (typeof value === 'object') {
    if (seen.has(value)) return '[circular]';
    seen.add(value);
    if (Array.isArray(value)) return value.map((item) => sanitizeValue(item, seen));
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
      out[key] = sanitizeValue(item, seen);
    }
    seen.delete(value);
    return out;
  }
  return String(value);
}

function cleanse(key: string, value: unknown): unknown {
  if (Array.isArray(value)) return value.map((item) => cleanse(key, item));
  if (value && typeof value === 'object') return cleanseDict(value as Record<string, unknown>);
  if (HIDDEN_KEY.test(key) && !ALLOWED_KEY.test(key)) return CLEANSED;
  return value;
}

function cleanseDict(source: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(source)) out[key] = cleanse(key, value);
  return out;
}

export function sanitizeContext(context: Record<string, unknown>): Record<string, unknown> {
  return cleanseDict(sanitizeValue(context, new WeakSet()) as Record<string, unknown>);
}
