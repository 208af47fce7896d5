import { and, gte, sql, type SQL } from 'drizzle-orm';
import type { Services } from '../api/context.js';
import { executeRows } from '../db/database.js';
import { events } from './table.js';

export interface Coordinate {
  x_cord: number;
  y_cord: number;
}

const DAY = 86400_000;
const MAX_SPAN = 60 * DAY;

/**
 * Event counts over time, as authentik's `EventQuerySet.get_events_per` computes them for the admin charts:
 * events of the last `spanMs` (at most 60 days) counted by their age in whole days, laid out as `dataPoints + 1`
 * coordinates (`x_cord` a timestamp in ms, `y_cord` the count of events that many days old).
 */
export async function eventsPer(services: Services, spanMs: number, dataPoints: number, where?: SQL): Promise<Coordinate[]> {
  const span = Math.min(spanMs, MAX_SPAN);
  const now = Date.now();
  const rows = await executeRows<{ age: number; count: string | number }>(services.db, sql`
    select floor(extract(epoch from (${new Date(now)}::timestamptz - ${events.created})) / 86400)::int as "age", count(*) as "count"
      from ${events} where ${and(gte(events.created, new Date(now - span)), where)} group by 1`);
  const byAge = new Map(rows.map((r) => [Number(r.age), Number(r.count)]));
  const step = span / dataPoints;
  const coordinates: Coordinate[] = [];
  for (let interval = 1; interval > -dataPoints; interval -= 1) {
    coordinates.push({ x_cord: Math.round(now + step * interval), y_cord: byAge.get(-interval) ?? 0 });
  }
  return coordinates;
}

/** Last week in 8-hour steps (`volume`). */
export const volume = (services: Services, where?: SQL) => eventsPer(services, 7 * DAY, 21, where);
/** Last four weeks in 30 steps (`per_month`, the admin dashboard's login and authorization charts). */
export const perMonth = (services: Services, where?: SQL) => eventsPer(services, 28 * DAY, 30, where);
