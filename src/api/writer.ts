import { eq, getTableColumns } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import type { ModelContext } from './context.js';
import type { BlueprintField, Json, ModelDefinition, ParentTable } from './model.js';
import { validateRequest } from './contract/validation.js';
import { translateDatabaseError } from './db-errors.js';
import { ValidationError } from './errors.js';
import type { Db } from '../db/database.js';

/**
 * The one write path of a model, shared by the API's create/update and by blueprints so that both apply the
 * same serializer rules: request schema, `model.validate`, `defaults`, column mapping, relations, and DRF's
 * messages for constraint violations.
 */
export interface WriteOptions {
  /** Validate against this request schema instead of the model's (an action's own serializer). */
  schema?: string;
  /**
   * Run the write in a savepoint, so that a failed write leaves the surrounding transaction usable (blueprints
   * go on validating later entries to report every error).
   */
  savepoint?: boolean;
  /** Blueprint-only fields beyond `model.blueprintFields`, honoured only with `ctx.blueprint`. */
  blueprintFields?: Record<string, BlueprintField>;
  /** Column values (by drizzle property name) an insert takes as they are, e.g. a primary key a blueprint names. */
  columns?: Json;
}

/**
 * The context model code sees during a write: its `services.db` is the write's transaction, so that `validate`
 * and relations read what the transaction wrote, and so that PGlite (one connection) is not asked for a second
 * query while the transaction holds it, which would wait forever.
 */
export function withTransaction<C extends ModelContext>(ctx: C, tx: Db): C {
  if (ctx.services.db === tx) return ctx;
  // No snapshot inside a write: what the transaction reads may not be committed, and must not be shared.
  return { ...ctx, services: { ...ctx.services, db: tx, snapshot: undefined } };
}

/** The drizzle property name of a column of the model's table (or of its parent's, for a subtype). */
export function columnKey<Row extends Json>(model: ModelDefinition<Row>, column: PgColumn): string {
  for (const table of [model.table, model.parent?.table]) {
    if (!table) continue;
    for (const [key, value] of Object.entries(table as unknown as Record<string, unknown>)) if (value === column) return key;
  }
  throw new Error(`column ${column.name} is not on ${model.name}`);
}

/** Splits column values (by property name) into the parent's and the model's own, for a subtype. */
function splitValues<Row extends Json>(model: ModelDefinition<Row>, values: Json): { parent: Json; own: Json } {
  const parentColumns = model.parent ? getTableColumns(model.parent.table) : {};
  const parent: Json = {};
  const own: Json = {};
  for (const [key, value] of Object.entries(values)) (key in parentColumns ? parent : own)[key] = value;
  return { parent, own };
}

/** The primary key value of a row of the model. */
export function primaryKeyOf<Row extends Json>(model: ModelDefinition<Row>, row: Row): unknown {
  return row[columnKey(model, model.pk)];
}

/** Converts validated request values into column values. */
export function toColumns<Row extends Json>(model: ModelDefinition<Row>, data: Json): Json {
  const values: Json = {};
  for (const [field, spec] of Object.entries(model.fields)) {
    if (!(field in data)) continue;
    let value = data[field];
    if (spec.parse) value = spec.parse(value);
    else if (spec.column.columnType === 'PgTimestamp' && typeof value === 'string') value = new Date(value);
    values[columnKey(model, spec.column)] = value;
  }
  return values;
}

/** The request schema of a model's create/update, `Patched…` for a partial update. */
export function requestSchemaOf<Row extends Json>(model: ModelDefinition<Row>, partial: boolean, override?: string): string {
  const schema = override ?? model.requestSchema;
  if (!schema) throw new Error(`model ${model.name} declares no request schema`);
  return partial ? `Patched${schema}` : schema;
}

async function blueprintColumns<Row extends Json>(model: ModelDefinition<Row>, data: Json, existing: Row | undefined, ctx: ModelContext, options: WriteOptions): Promise<Json> {
  if (!ctx.blueprint) return {};
  const fields = { ...options.blueprintFields, ...model.blueprintFields };
  const values: Json = {};
  const errors: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(fields)) {
    if (!(name in data)) continue;
    try {
      Object.assign(values, await field.columns(data[name], data, existing));
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      Object.assign(errors, err.fields);
    }
  }
  if (Object.keys(errors).length) throw new ValidationError(errors);
  return values;
}

/** Writes a subtype's two rows: the parent's first (it owns the key), then the model's own. */
async function writeSubtype<Row extends Json>(
  model: ModelDefinition<Row>, parent: ParentTable, values: Json, existing: Row | undefined, data: Json, ctx: ModelContext, tx: Db,
): Promise<Row> {
  const linkKey = columnKey(model, parent.link);
  if (existing) {
    const { parent: parentValues, own } = splitValues(model, values);
    const pk = primaryKeyOf(model, existing);
    const [parentRow] = Object.keys(parentValues).length
      ? await tx.update(parent.table).set(parentValues).where(eq(parent.pk, pk)).returning() : [{}];
    const [ownRow] = Object.keys(own).length ? await tx.update(model.table).set(own).where(eq(parent.link, pk)).returning() : [{}];
    return { ...existing, ...parentRow, ...ownRow } as Row;
  }
  const defaults = model.defaults ? await model.defaults(data, ctx) : {};
  const { parent: parentValues, own } = splitValues(model, { ...defaults, ...values });
  const [parentRow] = await tx.insert(parent.table).values({ ...parent.values, ...parentValues }).returning();
  const [ownRow] = await tx.insert(model.table).values({ ...own, [linkKey]: (parentRow as Json)[columnKey(model, parent.pk)] }).returning();
  return { ...parentRow, ...ownRow } as Row;
}

async function write<Row extends Json>(
  model: ModelDefinition<Row>, body: unknown, existing: Row | undefined, partial: boolean, outerCtx: ModelContext, db: Db, options: WriteOptions,
): Promise<Row> {
  const ctx = withTransaction(outerCtx, db);
  const normalized = model.normalizeRequest && typeof body === 'object' && body !== null && !Array.isArray(body) ? model.normalizeRequest(body as Json) : body;
  const data = validateRequest(requestSchemaOf(model, partial, options.schema), normalized);
  await model.validate?.(data, ctx, existing);
  let values = { ...toColumns(model, data), ...(await blueprintColumns(model, data, existing, ctx, options)) };
  const run = async (tx: Db): Promise<Row> => {
    let row: Row;
    if (model.parent) {
      row = await writeSubtype(model, model.parent, existing ? values : { ...values, ...options.columns }, existing, data, ctx, tx);
    } else if (existing) {
      if (Object.keys(values).length) {
        const rows = (await tx.update(model.table).set(values).where(eq(model.pk, primaryKeyOf(model, existing))).returning()) as Row[];
        row = rows[0];
      } else row = existing;
    } else {
      if (model.defaults) values = { ...(await model.defaults(data, ctx)), ...values };
      values = { ...values, ...options.columns };
      const rows = (await tx.insert(model.table).values(values).returning()) as Row[];
      row = rows[0];
    }
    const pk = primaryKeyOf(model, row);
    for (const [field, writer] of Object.entries(model.relations ?? {})) {
      if (field in data) await writer(tx, pk, data[field], withTransaction(ctx, tx));
    }
    return row;
  };
  try {
    return options.savepoint ? await db.transaction((tx) => run(tx as unknown as Db)) : await run(db);
  } catch (err) {
    throw translateDatabaseError(err, model);
  }
}

/** Validates `body` as the model's create request and inserts it, inside the caller's transaction `tx`. */
export function createObject<Row extends Json>(model: ModelDefinition<Row>, body: unknown, ctx: ModelContext, tx: Db, options: WriteOptions = {}): Promise<Row> {
  return write(model, body, undefined, false, ctx, tx, options);
}

/** Validates `body` as the model's (partial) update request and applies it to `row`, inside `tx`. */
export function updateObject<Row extends Json>(
  model: ModelDefinition<Row>, row: Row, body: unknown, ctx: ModelContext, tx: Db, partial: boolean, options: WriteOptions = {},
): Promise<Row> {
  return write(model, body, row, partial, ctx, tx, options);
}
