import { eq, inArray } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import type { ModelContext } from '../api/context.js';
import type { Json, ModelDefinition, WritableField } from '../api/model.js';
import { selectRows } from '../api/inheritance.js';
import { ValidationError } from '../api/errors.js';
import type { Db } from '../db/database.js';
import { propertyMappings } from './table.js';
import { propertyMappingModelFor, propertyMappingTypeFor, registerPropertyMappingType, type PropertyMappingType } from './types.js';
import { expressionSyntaxError } from './evaluate.js';

export type PropertyMappingRow = typeof propertyMappings.$inferSelect;

/** The fields of authentik's `PropertyMappingSerializer`, for any mapping row. */
export function serializePropertyMappingBase(row: PropertyMappingRow): Json {
  const type = propertyMappingTypeFor(row.model);
  return {
    pk: row.pmUuid,
    managed: row.managed,
    name: row.name,
    expression: row.expression,
    component: type?.component ?? '',
    verbose_name: type?.verboseName ?? 'Property Mapping',
    verbose_name_plural: type?.verboseNamePlural ?? 'Property Mappings',
    meta_model_name: row.model,
  };
}

/** Mapping names are unique across every type: DRF names the base model in its message. */
async function checkName(db: Db, name: unknown, existing: PropertyMappingRow | undefined): Promise<void> {
  if (typeof name !== 'string') return;
  const [clash] = await db.select({ id: propertyMappings.pmUuid }).from(propertyMappings).where(eq(propertyMappings.name, name)).limit(1);
  if (clash && clash.id !== existing?.pmUuid) throw ValidationError.field('name', 'Property Mapping with this name already exists.');
}

type ChangeListener = (db: Db, pmUuid: string | undefined) => void;
const changeListeners: ChangeListener[] = [];

/** Caches built from mappings (a provider's scopes, discovery documents) drop what a write makes stale. */
export function onPropertyMappingChange(listener: ChangeListener): void {
  changeListeners.push(listener);
}

export function propertyMappingChanged(db: Db, pmUuid: string | undefined): void {
  for (const listener of changeListeners) listener(db, pmUuid);
}

export const propertyMappingModel: ModelDefinition<PropertyMappingRow> = {
  name: 'authentik_core.propertymapping',
  verboseName: 'Property Mapping',
  verboseNamePlural: 'Property Mappings',
  table: propertyMappings,
  pk: propertyMappings.pmUuid,
  fields: {
    managed: { column: propertyMappings.managed },
    name: { column: propertyMappings.name },
    expression: { column: propertyMappings.expression },
  },
  uniqueFields: { authentik_core_propertymapping_name_unique: 'name', authentik_core_propertymapping_managed_unique: 'managed' },
  displayName: (row) => row.name,
  async serialize(rows) {
    return rows.map(serializePropertyMappingBase);
  },
};

/**
 * Mappings rendered by their own type's serializer, as authentik's `/propertymappings/all/` resolves inheritance.
 * Order is kept; a row of a type nobody registered renders with the base fields.
 */
export async function serializeResolvedPropertyMappings(rows: PropertyMappingRow[], ctx: ModelContext): Promise<Json[]> {
  const byModel = new Map<string, string[]>();
  for (const row of rows) (byModel.get(row.model) ?? byModel.set(row.model, []).get(row.model)!).push(row.pmUuid);
  const rendered = new Map<string, Json>();
  await Promise.all([...byModel].map(async ([modelName, ids]) => {
    const model = propertyMappingModelFor(modelName);
    if (!model) return;
    const full = (await selectRows(ctx.services.db, model).where(inArray(propertyMappings.pmUuid, ids))) as Json[];
    for (const item of await model.serialize(full, ctx)) rendered.set(String(item.pk), item);
  }));
  return rows.map((row) => rendered.get(row.pmUuid) ?? serializePropertyMappingBase(row));
}

export interface PropertyMappingSubtype<Own extends Json> {
  type: PropertyMappingType;
  table: PgTable;
  /** The subtype table's `propertymapping_ptr_id`. */
  link: PgColumn;
  requestSchema: string;
  fields: Record<string, WritableField>;
  serialize(row: PropertyMappingRow & Own): Json;
  validate?(data: Json, ctx: ModelContext, existing: (PropertyMappingRow & Own) | undefined): Promise<void> | void;
}

/** A mapping type's model over the shared base (authentik's `PropertyMappingSerializer` + its own fields), registered for `/all/`. */
export function definePropertyMappingModel<Own extends Json>(subtype: PropertyMappingSubtype<Own>): ModelDefinition<PropertyMappingRow & Own> {
  const model: ModelDefinition<PropertyMappingRow & Own> = {
    name: subtype.type.modelName,
    verboseName: subtype.type.verboseName,
    verboseNamePlural: subtype.type.verboseNamePlural,
    table: subtype.table,
    parent: { table: propertyMappings, pk: propertyMappings.pmUuid, link: subtype.link, values: { model: subtype.type.modelName } },
    requestSchema: subtype.requestSchema,
    pk: propertyMappings.pmUuid,
    fields: { ...propertyMappingModel.fields, ...subtype.fields },
    uniqueFields: propertyMappingModel.uniqueFields,
    displayName: (row) => row.name,
    async serialize(rows) {
      return rows.map((row) => ({ ...serializePropertyMappingBase(row), ...subtype.serialize(row) }));
    },
    async validate(data, ctx, existing) {
      const errors: Record<string, string[]> = {};
      try {
        await checkName(ctx.services.db, data.name, existing);
      } catch (err) {
        if (!(err instanceof ValidationError)) throw err;
        Object.assign(errors, err.fields);
      }
      if (typeof data.expression === 'string') {
        const syntax = await expressionSyntaxError(data.expression);
        if (syntax) errors.expression = [syntax];
      }
      if (Object.keys(errors).length) throw new ValidationError(errors);
      await subtype.validate?.(data, ctx, existing);
      propertyMappingChanged(ctx.services.db, existing?.pmUuid);
    },
  };
  registerPropertyMappingType(subtype.type, model);
  return model;
}
