const UNITS: Record<string, number> = {
  weeks: 7 * 86400_000, days: 86400_000, hours: 3600_000, minutes: 60_000, seconds: 1000, milliseconds: 1, microseconds: 0.001,
};

/** authentik's `timedelta_string_validator` message. */
export function durationError(value: string): string {
  return `${value} is not in the correct format of 'hours=3;minutes=1'.`;
}

/**
 * authentik's `timedelta_from_string` (`hours=1;minutes=2` → milliseconds), strict as its validator is: an
 * unknown unit or a value that is not a number throws.
 */
export function parseDuration(value: string): number {
  let total = 0;
  for (const part of value.split(';')) {
    if (!part.trim()) continue;
    const [key, amount, ...rest] = part.split('=').map((s) => s.trim());
    const number = Number(amount);
    if (rest.length || !key || !(key in UNITS) || amount === undefined || amount === '' || !Number.isFinite(number)) throw new Error(durationError(value));
    total += number * UNITS[key];
  }
  return total;
}

const parsed = new Map<string, number>();

/** `parseDuration` for stored (validated) values, memoised: it is read on every token issued. */
export function durationMs(value: string): number {
  let ms = parsed.get(value);
  if (ms === undefined) {
    try {
      ms = parseDuration(value);
    } catch {
      ms = 0;
    }
    if (parsed.size > 1024) parsed.clear();
    parsed.set(value, ms);
  }
  return ms;
}
