import { and, eq, ilike, inArray, isNull, isNotNull, like, or, sql, type SQL } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import type { Json, ModelDefinition } from '../api/model.js';
import type { Db } from '../db/database.js';
import { selectRows } from '../api/inheritance.js';
import { isMapping } from './tags.js';

/**
 * Django-style lookups on a model's fields, as blueprints write them in `identifiers` and `!Find`: `slug`,
 * `pk`, `name__iexact`, `attributes` (a mapping: JSON containment for identifiers)… Keys name API fields; a
 * key that is a column of the table (`managed`, `user_id`) works too.
 */
export class LookupError extends Error {}

const UUID_RE = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const LOOKUPS = new Set(['exact', 'iexact', 'contains', 'icontains', 'startswith', 'istartswith', 'endswith', 'iendswith', 'in', 'isnull']);

function camel(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

/** The column a lookup key names, or undefined. */
export function columnFor(model: ModelDefinition<Json>, key: string): PgColumn | undefined {
  if (key === 'pk') return model.pk;
  const field = model.fields[key];
  if (field) return field.column;
  const columns = [model.table, model.parent?.table].flatMap((table) => Object.entries((table ?? {}) as unknown as Record<string, unknown>))
    .filter((entry): entry is [string, PgColumn] => typeof entry[1] === 'object' && entry[1] !== null && 'columnType' in entry[1]);
  return columns.find(([, c]) => c.name === key || c.name === `${key}_id`)?.[1] ?? columns.find(([k]) => k === camel(key))?.[1];
}

/** Refuses values the column cannot hold, as Django does before querying (a bad uuid would abort the transaction). */
function checkValue(column: PgColumn, key: string, value: unknown): void {
  if (value === null || value === undefined) return;
  const type = column.columnType;
  if ((type === 'PgInteger' || type === 'PgSerial' || type === 'PgBigInt53' || type === 'PgSmallInt') && !/^-?\d+$/.test(String(value))) {
    throw new LookupError(`Field '${key}' expected a number but got ${JSON.stringify(value)}.`);
  }
  if (type === 'PgUUID' && !UUID_RE.test(String(value))) throw new LookupError(`"${String(value)}" is not a valid UUID.`);
}

function escapeLike(value: unknown): string {
  return String(value).replace(/[\\%_]/g, '\\$&');
}

/** One `key=value` condition; `contains` makes a mapping value a JSON containment test (identifiers do that). */
export function condition(model: ModelDefinition<Json>, key: string, value: unknown, options: { jsonContains?: boolean } = {}): SQL {
  const parts = key.split('__');
  const lookup = parts.length > 1 && LOOKUPS.has(parts[parts.length - 1]) ? parts.pop()! : 'exact';
  const name = parts.join('__');
  const column = columnFor(model, name);
  if (!column) throw new LookupError(`Cannot resolve keyword '${name}' into field of ${model.name}.`);
  if (column.columnType === 'PgJsonb' && isMapping(value) && lookup === 'exact') {
    return options.jsonContains ? sql`${column} @> ${JSON.stringify(value)}::jsonb` : sql`${column} = ${JSON.stringify(value)}::jsonb`;
  }
  switch (lookup) {
    case 'exact':
      if (value === null || value === undefined) return isNull(column);
      checkValue(column, name, value);
      return eq(column, value);
    case 'iexact':
      return ilike(column, escapeLike(value));
    case 'contains':
      return like(column, `%${escapeLike(value)}%`);
    case 'icontains':
      return ilike(column, `%${escapeLike(value)}%`);
    case 'startswith':
      return like(column, `${escapeLike(value)}%`);
    case 'istartswith':
      return ilike(column, `${escapeLike(value)}%`);
    case 'endswith':
      return like(column, `%${escapeLike(value)}`);
    case 'iendswith':
      return ilike(column, `%${escapeLike(value)}`);
    case 'in': {
      const values = Array.isArray(value) ? value : [value];
      for (const v of values) checkValue(column, name, v);
      return values.length ? inArray(column, values) : sql`false`;
    }
    default:
      return value ? isNull(column) : isNotNull(column);
  }
}

/** The first row of `model` matching `where`, in primary key order (Django's `.first()`). */
export async function firstRow(db: Db, model: ModelDefinition<Json>, where: SQL | undefined): Promise<Json | undefined> {
  const rows = (await selectRows(db, model).where(where).orderBy(model.pk).limit(1)) as Json[];
  return rows[0];
}

/** All `[key, value]` conditions together (`!Find`). */
export function allOf(model: ModelDefinition<Json>, conditions: [string, unknown][]): SQL | undefined {
  return and(...conditions.map(([key, value]) => condition(model, key, value)));
}

/**
 * authentik's identifier query: `pk` alone, or every other identifier together (mappings by JSON containment),
 * either matching: `Q(pk=…) | Q(a=…, b=…)`.
 */
export function identifierQuery(model: ModelDefinition<Json>, identifiers: Json): SQL | undefined {
  const byPk = 'pk' in identifiers ? condition(model, 'pk', identifiers.pk) : undefined;
  const rest = Object.entries(identifiers).filter(([key]) => key !== 'pk');
  const byFields = rest.length ? and(...rest.map(([key, value]) => condition(model, key, value, { jsonContains: true }))) : undefined;
  if (byPk && byFields) return or(byPk, byFields);
  return byPk ?? byFields;
}
