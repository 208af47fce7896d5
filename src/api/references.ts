import { inArray } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import type { Db } from '../db/database.js';

/** DRF's message for a primary key that names no object (`PrimaryKeyRelatedField`'s `does_not_exist`). */
export function doesNotExist(pk: unknown): string {
  return `Invalid pk "${pk}" - object does not exist.`;
}

/**
 * The first of `ids` that names no row by `column`, or undefined when all do: DRF checks every key of a
 * many-relation field (`property_mappings`, `transports`, …) before a save, and reports the first missing one.
 */
export async function firstMissing<Id extends string | number>(db: Db, column: PgColumn, ids: readonly Id[]): Promise<Id | undefined> {
  const wanted = [...new Set(ids)];
  if (!wanted.length) return undefined;
  const rows = await db.select({ id: column }).from(column.table as PgTable).where(inArray(column, wanted));
  const found = new Set(rows.map((row) => row.id));
  return wanted.find((id) => !found.has(id));
}
