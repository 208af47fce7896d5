import { getTableName, sql } from 'drizzle-orm';
import type { ModelContext } from './context.js';
import { selectRows } from './inheritance.js';
import type { Json, ModelDefinition } from './model.js';
import { models } from './registry.js';
import { primaryKeyOf } from './writer.js';

interface ForeignKey {
  table: string;
  column: string;
  /** pg_constraint.confdeltype: c cascade, n set null, d set default, a/r no action/restrict. */
  onDelete: string;
}

const ACTIONS: Record<string, string> = { c: 'CASCADE', n: 'SET_NULL', d: 'SET_DEFAULT', a: 'CASCADE', r: 'CASCADE' };
const foreignKeyCache = new Map<string, ForeignKey[]>();

/** Single-column foreign keys that point at `table`, read from the catalog once per process. */
async function foreignKeysTo(ctx: ModelContext, table: string): Promise<ForeignKey[]> {
  const key = `${ctx.services.database.kind}:${table}`;
  let keys = foreignKeyCache.get(key);
  if (!keys) {
    keys = await ctx.services.database.query<ForeignKey>(
      `select con.conrelid::regclass::text as "table", att.attname as "column", con.confdeltype as "onDelete"
         from pg_constraint con
         join pg_attribute att on att.attrelid = con.conrelid and att.attnum = con.conkey[1]
        where con.contype = 'f' and array_length(con.conkey, 1) = 1 and con.confrelid = $1::regclass`,
      [table],
    );
    foreignKeyCache.set(key, keys);
  }
  return keys;
}

/** The other side of a many-to-many link table: its foreign key that does not point at `table`. */
async function otherSide(ctx: ModelContext, linkTable: string, exceptColumn: string) {
  const rows = await ctx.services.database.query<{ column: string; target: string }>(
    `select att.attname as "column", con.confrelid::regclass::text as "target"
       from pg_constraint con
       join pg_attribute att on att.attrelid = con.conrelid and att.attnum = con.conkey[1]
      where con.contype = 'f' and con.conrelid = $1::regclass and att.attname <> $2`,
    [linkTable, exceptColumn],
  );
  return rows[0];
}

function describe(model: ModelDefinition<Json>, row: Json, action: string) {
  const [app, modelName] = model.name.split('.');
  return { app, model_name: modelName, pk: String(primaryKeyOf(model, row)), name: model.displayName(row), action };
}

/**
 * What refers to an object, as authentik's `used_by` lists it: objects with a foreign key to it (and what a
 * delete does to them) and, through link tables, objects that would lose it from a many-to-many field.
 */
export async function usedBy<Row extends Json>(ctx: ModelContext, model: ModelDefinition<Row>, pk: unknown) {
  const results: UsedByEntry[] = [];
  const db = ctx.services.db;
  const tables = [getTableName(model.table), ...(model.parent ? [getTableName(model.parent.table)] : [])];
  const keys = (await Promise.all(tables.map((table) => foreignKeysTo(ctx, table).then((fks) => fks.map((fk) => ({ ...fk, to: table })))))).flat();
  for (const fk of keys) {
    const referencing = models.forTable(fk.table);
    // A subtype's link to its base is the object itself, not a use of it.
    if (referencing?.parent && getTableName(referencing.parent.table) === fk.to && referencing.parent.link.name === fk.column) continue;
    if (referencing) {
      const rows = (await selectRows(db, referencing).where(sql`${sql.identifier(fk.table)}.${sql.identifier(fk.column)} = ${pk}`)) as Json[];
      for (const row of rows) results.push(describe(referencing, row, ACTIONS[fk.onDelete] ?? 'CASCADE'));
      continue;
    }
    const other = await otherSide(ctx, fk.table, fk.column);
    const target = other && models.forTable(other.target);
    if (!target) continue;
    const rows = (await selectRows(db, target).where(
      sql`${target.pk} in (select ${sql.identifier(other.column)} from ${sql.identifier(fk.table)} where ${sql.identifier(fk.column)} = ${pk})`,
    )) as Json[];
    for (const row of rows) results.push(describe(target, row, 'CASCADE_MANY'));
  }
  for (const resolver of resolvers) results.push(...(await resolver(ctx, model as unknown as ModelDefinition<Json>, pk)));
  return results;
}

export type UsedByEntry = ReturnType<typeof describe>;
/** References the catalog cannot see (a column without a foreign key, such as a policy binding's target). */
export type UsedByResolver = (ctx: ModelContext, model: ModelDefinition<Json>, pk: unknown) => Promise<UsedByEntry[]>;
const resolvers: UsedByResolver[] = [];

export function registerUsedByResolver(resolver: UsedByResolver): void {
  if (!resolvers.includes(resolver)) resolvers.push(resolver);
}

/** A `used_by` entry for a row of `model` (for resolvers). */
export function usedByEntry(model: ModelDefinition<Json>, row: Json, action: string): UsedByEntry {
  return describe(model, row, action);
}
