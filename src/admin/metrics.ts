import { and, count, gte, inArray, sql, type SQL } from 'drizzle-orm';
import type { Principal } from '../api/context.js';
import type { Db } from '../db/database.js';
import { events } from '../events/table.js';

export interface Coordinate {
  x_cord: number;
  y_cord: number;
}

/** authentik's dashboard chart: the last 7 days in 8-hour spans, 3 points a day. */
const SPAN_MS = 8 * 3600_000;
const POINTS = 7 * 3;

const SERIES = {
  logins: 'login',
  logins_failed: 'login_failed',
  authorizations: 'authorize_application',
} as const;

export type LoginMetrics = Record<keyof typeof SERIES, Coordinate[]>;

/**
 * Which events a caller may count: authentik counts the events the user may view (`authentik_events.view_event`).
 * Without object permissions yet, that is every event for superusers and none for anyone else.
 */
function visibleEvents(principal: Principal | undefined): SQL | undefined {
  return principal?.isSuperuser ? undefined : sql`false`;
}

/**
 * Counts login, failed login and authorization events per span, newest span first. Each point's `x_cord` is the
 * span's end in epoch milliseconds (whole seconds, as authentik's `mktime`), `y_cord` the events in it; empty
 * spans count zero.
 */
export async function loginMetrics(db: Db, principal: Principal | undefined, now = new Date()): Promise<LoginMetrics> {
  const since = new Date(now.getTime() - SPAN_MS * POINTS);
  const span = sql<number>`floor(extract(epoch from (${now.toISOString()}::timestamptz - ${events.created})) * 1000 / ${SPAN_MS})::int`;
  const rows = await db.select({ action: events.action, span, total: count() }).from(events)
    .where(and(inArray(events.action, Object.values(SERIES)), gte(events.created, since), visibleEvents(principal)))
    // By position: the span expression carries its own parameters, which a repeated expression would not match.
    .groupBy(sql`1`, sql`2`);
  const end = Math.floor(now.getTime() / 1000) * 1000;
  const series = (action: string): Coordinate[] => Array.from({ length: POINTS }, (_, index) => ({
    x_cord: end - index * SPAN_MS,
    y_cord: rows.filter((row) => row.action === action && Number(row.span) === index).reduce((sum, row) => sum + Number(row.total), 0),
  }));
  return { logins: series(SERIES.logins), logins_failed: series(SERIES.logins_failed), authorizations: series(SERIES.authorizations) };
}
