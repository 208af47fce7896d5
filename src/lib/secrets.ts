import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Whether a secret someone gave is the expected one, in constant time: their digests are compared, so that
 * neither the contents nor the lengths show in the timing.
 */
export function secretsEqual(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b) && given.length === expected.length;
}
