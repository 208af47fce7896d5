import { sql, type SQL } from 'drizzle-orm';
import type { Services } from '../api/context.js';
import { models } from '../api/registry.js';
import { defineSystemTask } from '../admin/tasks.js';
import { executeRows, type Db } from '../db/database.js';

/** How often expired objects are removed (authentik's beat runs `clean_expired_models` every 5 minutes). */
export const CLEAN_INTERVAL_MS = 5 * 60 * 1000;
/** The first run waits for the start's own work (blueprint discovery) to settle. */
const FIRST_RUN_DELAY_MS = 60 * 1000;

const expiringTablesOf = new WeakMap<Db, Promise<string[]>>();

/**
 * The tables of authentik's `ExpiringModel`s: every table with its `expires` and `expiring` columns (tokens,
 * OAuth codes and tokens, consents, invitations, reputation scores, events past their retention…), found in
 * the database so that a new expiring model needs no entry here. Read once: only migrations change them, and
 * they run before the server starts (the catalog query costs ~0.1 s on the embedded database).
 */
export function expiringTables(db: Db): Promise<string[]> {
  let found = expiringTablesOf.get(db);
  if (!found) {
    found = executeRows<{ table: string }>(db, sql`
      select c.relname as "table" from pg_attribute a
        join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = current_schema() and c.relkind = 'r' and not a.attisdropped
        and ((a.attname = 'expires' and a.atttypid = 'timestamptz'::regtype) or (a.attname = 'expiring' and a.atttypid = 'bool'::regtype))
      group by c.relname having count(*) = 2 order by 1`).then((rows) => rows.map((row) => row.table));
    found.catch(() => expiringTablesOf.delete(db));
    expiringTablesOf.set(db, found);
  }
  return found;
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
  for (const table of await expiringTables(services.db)) counts.set(table, await deleteCounted(services, table, sql`expiring and expires <= now()`));
  counts.set('authentik_core_session', await deleteCounted(services, 'authentik_core_session', sql`expires <= now()`));
  return counts;
}

/**
 * Rows deleted per statement: the embedded database runs each statement on the server's thread, and one
 * statement deleting 13 000 access tokens held every request for ~150 ms. Batches let requests in between.
 */
const DELETE_BATCH = 500;

async function deleteCounted(services: Services, table: string, where: SQL): Promise<number> {
  const name = sql.identifier(table);
  let total = 0;
  for (;;) {
    const [row] = await executeRows<{ n: number }>(services.db, sql`
      with gone as (delete from ${name} where ctid in (select ctid from ${name} where ${where} limit ${DELETE_BATCH}) returning 1)
      select count(*)::int as n from gone`);
    const deleted = row?.n ?? 0;
    total += deleted;
    if (deleted < DELETE_BATCH) return total;
  }
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
