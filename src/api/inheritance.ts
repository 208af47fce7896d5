import { eq, getTableColumns } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import type { Json, ModelDefinition } from './model.js';
import type { Db } from '../db/database.js';

/**
 * Subtypes (authentik's multi-table inheritance: a policy type's table beside `authentik_policies_policy`) read
 * as one row: the model's own table joined to its parent's, columns merged by drizzle property name.
 */
export function selectRows<Row extends Json>(db: Db, model: ModelDefinition<Row>) {
  const parent = model.parent;
  if (!parent) return db.select().from(model.table).$dynamic();
  const columns = { ...getTableColumns(parent.table), ...getTableColumns(model.table) };
  return db.select(columns).from(model.table).innerJoin(parent.table, eq(parent.link, parent.pk)).$dynamic();
}

/** The table whose row is the object: deleting it deletes the subtype row by cascade. */
export function rootTable<Row extends Json>(model: ModelDefinition<Row>): PgTable {
  return model.parent?.table ?? model.table;
}
