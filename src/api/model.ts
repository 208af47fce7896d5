import type { SQL } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import type { ApiContext, ModelContext } from './context.js';
import type { Db } from '../db/database.js';

export type Json = Record<string, unknown>;

/** How one writable API field maps to a column. */
export interface WritableField {
  column: PgColumn;
  /** Turns the validated request value into the column value (defaults: ISO strings → Date for timestamps). */
  parse?: (value: unknown) => unknown;
}

/**
 * A field only blueprints may set (authentik adds it to the serializer when `blueprint_entry` is in the
 * context): a token's `key`, a user's `password`, an application's `icon`, a flow's `background`. It turns the
 * value into column values (by drizzle property name), or throws a ValidationError naming the field.
 */
export interface BlueprintField {
  columns(value: unknown, data: Json, existing: Json | undefined): Json | Promise<Json>;
}

/**
 * A subtype's base table (authentik's multi-table inheritance: policies, stages, providers, sources, property
 * mappings). The base holds the shared fields and the primary key (`model.pk` is the base's); the model's own
 * table links to it by `link`. Reads join the two, writes split the fields between them by column.
 */
export interface ParentTable {
  table: PgTable;
  /** The base table's primary key. */
  pk: PgColumn;
  /** The model table's column referring to `pk` (its own primary key, e.g. `policy_ptr_id`). */
  link: PgColumn;
  /** Base-table values every create sets (by drizzle property name), e.g. the subtype's model name. The two tables' property names must differ: rows are merged by them. */
  values?: Json;
}

/** Writes that are not a column of the model's own table, such as many-to-many links. */
export type RelationWriter = (tx: Db, pk: unknown, value: unknown, ctx: ModelContext) => Promise<void>;

/**
 * One definition per model: its table and authentik name, how the API reads and writes it. The API layer,
 * `used_by`, and later blueprints and RBAC permissions all read this.
 */
export interface ModelDefinition<Row extends Json = Json> {
  /** authentik's `app_label.model`, e.g. `authentik_core.user`. */
  name: string;
  verboseName: string;
  verboseNamePlural: string;
  table: PgTable;
  /** Set for subtypes whose rows extend a base table's. */
  parent?: ParentTable;
  /**
   * The request schema creates and updates are validated against (`UserRequest`); partial updates use
   * `Patched<name>`. The API and blueprints both write through `api/writer.ts` with it.
   */
  requestSchema?: string;
  /** The primary key column (what `used_by` and relations refer to). */
  pk: PgColumn;
  fields: Record<string, WritableField>;
  relations?: Record<string, RelationWriter>;
  /** Fields blueprints may set beyond the request schema's. */
  blueprintFields?: Record<string, BlueprintField>;
  /** A unique constraint's name, or a column's, → the API field DRF would blame. */
  uniqueFields?: Record<string, string>;
  /** A display name for `used_by` and messages. */
  displayName(row: Row): string;
  /** Renders rows in one go, so that related objects are fetched once per page, not once per row. */
  serialize(rows: Row[], ctx: ModelContext): Promise<Json[]>;
  /**
   * Rewrites a request body before the schema sees it, for a field that takes a form newer than the schema's
   * (an OAuth2 provider's `redirect_uris` as objects): the API and blueprints both write through it.
   */
  normalizeRequest?(body: Json): Json;
  /** Extra checks beyond the schema's (cross-field rules, existence of references); throws ValidationError. */
  validate?(data: Json, ctx: ModelContext, existing: Row | undefined): Promise<void> | void;
  /** Column values a create adds on top of the request's (generated keys, owners). */
  defaults?(data: Json, ctx: ModelContext): Promise<Json> | Json;
}

/** A list filter: `value` is the last occurrence of the query parameter, `all` every occurrence. */
export type FilterFn = (value: string, ctx: ApiContext, all: string[]) => SQL | undefined;

export function timestampOut(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return value instanceof Date ? value.toISOString() : new Date(String(value)).toISOString();
}
