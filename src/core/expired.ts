import { sql, type SQL } from 'drizzle-orm';
import type { Services } from '../api/context.js';
import { models } from '../api/registry.js';
import { defineSystemTask } from '../admin/tasks.js';
import { executeRows } from '../db/database.js';

/** How often expired objects are removed (authentik's beat runs `clean_expired_models` every 5 minutes). */
export const CLEAN_INTERVAL_MS = 5 * 60 * 1000;
/** The first run waits for the start's own work (blueprint discovery) to settle. */
const FIRST_RUN_DELAY_MS = 60 * 1000;

/**
 * The tables of authentik's `ExpiringModel`s: every table with its `expires` and `expiring` columns (tokens,
 * OAuth codes and tokens, consents, invitations, reputation scores, events past their retention…), found in
 * the database so that a new expiring model needs no entry here.
 */
async function expiringTables(services: Services): Promise<string[]> {
  const rows = await executeRows<{ table: string }>(services.db, sql`
    select table_name as "table" from information_schema.columns
    where table_schema = current_schema() and column_name in ('expires', 'expiring')
      and data_type in ('timestamp with time zone', 'boolean')
    group by table_name having count(*) = 2 order by table_name`);
  return rows.map((row) => row.table);
}

/** What a row of `table` is called in messages: its model's plural verbose name, as authentik's task says. */
function pluralName(table: string): string {
  return models.forTable(table)?.verboseNamePlural ?? table;
}

/**
 * Deletes what has expired: rows of expiring models whose `expiring` is set and whose `expires` has passed,
 * and sessions past their expiry (their authenticated sessions go with them). Returns counts by table.
 */
export async function deleteExpired(services: Services): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const table of await expiringTables(services)) counts.set(table, await deleteCounted(services, table, sql`expiring and expires <= now()`));
  counts.set('authentik_core_session', await deleteCounted(services, 'authentik_core_session', sql`expires <= now()`));
  return counts;
}

async function deleteCounted(services: Services, table: string, where: SQL): Promise<number> {
  const [row] = await executeRows<{ n: number }>(services.db, sql`
    with gone as (delete from ${sql.identifier(table)} where ${where} returning 1) select count(*)::int as n from gone`);
  return row?.n ?? 0;
}

export const cleanExpiredModels = defineSystemTask({
  name: 'clean_expired_models',
  description: 'Remove expired objects',
  prefill: true,
  async run(services) {
    const counts = await deleteExpired(services);
    const messages = [...counts].filter(([, count]) => count > 0).map(([table, count]) => `Expired ${count} ${pluralName(table)}`);
    return { status: 'SUCCESSFUL', messages: messages.length ? messages : ['Nothing had expired.'] };
  },
});

/** A running server removes expired objects a minute after start, then every five minutes. Returns how to stop. */
export function startExpiredCleanup(services: Services): () => Promise<void> {
  let running: Promise<unknown> = Promise.resolve();
  const run = () => {
    running = running.then(() => cleanExpiredModels(services)).catch((err: unknown) => {
      services.log.warn({ err: { message: (err as Error).message } }, 'removing expired objects failed');
    });
  };
  const first = setTimeout(run, FIRST_RUN_DELAY_MS);
  const interval = setInterval(run, CLEAN_INTERVAL_MS);
  first.unref();
  interval.unref();
  return async () => {
    clearTimeout(first);
    clearInterval(interval);
    await running;
  };
}
