import { integer, timestamp } from 'drizzle-orm/pg-core';

/**
 * django-otp's `ThrottlingMixin` columns: after a wrong code a device refuses every code for 2^(failures-1)
 * seconds, so that a 6-digit code cannot be guessed by trying them all.
 */
export const throttlingColumns = () => ({
  throttlingFailureTimestamp: timestamp('throttling_failure_timestamp', { withTimezone: true }),
  throttlingFailureCount: integer('throttling_failure_count').notNull().default(0),
});

export interface Throttled {
  throttlingFailureTimestamp: Date | null;
  throttlingFailureCount: number;
}

/** Whether the device refuses codes now. */
export function isThrottled(device: Throttled, now = Date.now()): boolean {
  if (!device.throttlingFailureCount || !device.throttlingFailureTimestamp) return false;
  const delay = 2 ** Math.min(device.throttlingFailureCount - 1, 30) * 1000;
  return now < device.throttlingFailureTimestamp.getTime() + delay;
}
