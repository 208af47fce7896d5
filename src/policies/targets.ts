import { asc, eq, getTableName, inArray, sql } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import type { Services } from '../api/context.js';
import type { Json, ModelDefinition } from '../api/model.js';
import type { UsedByResolver } from '../api/used-by.js';
import { usedByEntry } from '../api/used-by.js';
import { executeRows, type Db } from '../db/database.js';
import { policyBindings } from './table.js';
import { policyResultCache } from './cache.js';

/**
 * Deletes the bindings of a target that is being deleted (a flow, a flow-stage binding, an application…):
 * bindings refer to targets without a foreign key, so the target's owner calls this in its delete transaction.
 */
export async function deleteBindingsOf(db: Db, pbmUuids: string | string[]): Promise<number> {
  const ids = Array.isArray(pbmUuids) ? pbmUuids : [pbmUuids];
  if (!ids.length) return 0;
  const deleted = await db.delete(policyBindings).where(ids.length === 1 ? eq(policyBindings.targetId, ids[0]) : inArray(policyBindings.targetId, ids))
    .returning({ uuid: policyBindings.policyBindingUuid });
  policyResultCache.invalidateBindings(deleted.map((d) => d.uuid));
  return deleted.length;
}

const tablesByDatabase = new WeakMap<object, Promise<string[]>>();

/**
 * The tables whose rows policies can be bound to: every table with a `pbm_uuid` column (authentik's
 * `PolicyBindingModel` subclasses: flows, flow-stage bindings, applications, sources, notification rules).
 * Read from the catalog once per database; the schema only changes by migrations, before the server starts.
 */
export function bindingTargetTables(services: Services): Promise<string[]> {
  let tables = tablesByDatabase.get(services.database);
  if (!tables) {
    // Through drizzle, not `database.query`: this runs inside API transactions, and PGlite's raw client waits for them.
    tables = executeRows<{ table: string }>(services.db, sql`select table_name as "table" from information_schema.columns
        where column_name = 'pbm_uuid' and table_schema = current_schema() order by table_name`).then((rows) => rows.map((r) => r.table));
    tables.catch(() => tablesByDatabase.delete(services.database));
    tablesByDatabase.set(services.database, tables);
  }
  return tables;
}

/** Whether `pbmUuid` is the `pbm_uuid` of any binding target. */
export async function targetExists(services: Services, pbmUuid: string): Promise<boolean> {
  const tables = await bindingTargetTables(services);
  if (!tables.length) return false;
  const union = sql.join(tables.map((t) => sql`select 1 from ${sql.identifier(t)} where pbm_uuid = ${pbmUuid}::uuid`), sql` union all `);
  const rows = await executeRows<{ found: boolean }>(services.db, sql`select exists(${union}) as "found"`);
  return Boolean(rows[0]?.found);
}

/**
 * `used_by` for binding targets: the bindings pointing at an object's `pbm_uuid`, which a delete of the object
 * takes along (through `deleteBindingsOf`).
 */
export function bindingsUsedByResolver(bindingModel: ModelDefinition<Json>): UsedByResolver {
  return async (ctx, model, pk) => {
    const tables = await bindingTargetTables(ctx.services);
    const pkColumn = model.pk as PgColumn;
    const table = getTableName(pkColumn.table);
    const ownTable = getTableName(model.table);
    const holder = tables.includes(ownTable) ? ownTable : tables.includes(table) ? table : undefined;
    if (!holder) return [];
    const keyTable = holder === table ? table : ownTable;
    const keyColumn = holder === table ? pkColumn.name : (model.parent?.link.name ?? pkColumn.name);
    const found = await executeRows<{ pbm: string }>(ctx.services.db,
      sql`select pbm_uuid as "pbm" from ${sql.identifier(keyTable)} where ${sql.identifier(keyColumn)} = ${pk}`);
    if (!found.length) return [];
    const rows = await ctx.services.db.select().from(policyBindings).where(eq(policyBindings.targetId, found[0].pbm)).orderBy(asc(policyBindings.order));
    return rows.map((row) => usedByEntry(bindingModel, row as Json, 'CASCADE'));
  };
}
