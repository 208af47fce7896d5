import { getTableName } from 'drizzle-orm';
import { getTableConfig, type PgTable } from 'drizzle-orm/pg-core';
import { stringify, type ScalarTag } from 'yaml';
import type { ModelContext, Services } from '../api/context.js';
import { systemContext } from '../api/context.js';
import { loadSchemaDocument } from '../api/contract/document.js';
import type { Json, ModelDefinition } from '../api/model.js';
import { models } from '../api/registry.js';
import { selectRows } from '../api/inheritance.js';
import { primaryKeyOf } from '../api/writer.js';
import { KeyOf } from './tags.js';

/** An entry as the exporter writes it: plain data, no tags. */
export interface ExportedEntry {
  model: string;
  state?: string;
  id?: string;
  identifiers: Json;
  attrs: Json;
}

export interface ExportedBlueprint {
  version: 1;
  metadata: { name: string; labels: Record<string, string> };
  context?: Json;
  entries: ExportedEntry[];
}

export const LABEL_GENERATED = 'blueprints.goauthentik.io/generated';
/** Models an install export leaves out: records of what happened, not configuration. */
const NOT_EXPORTED = new Set(['authentik_events.event', 'authentik_core.authenticatedsession', 'authentik_blueprints.blueprintinstance']);

function writableFields(model: ModelDefinition<Json>): Set<string> {
  const schema = model.requestSchema ? loadSchemaDocument().components.schemas[model.requestSchema] : undefined;
  return new Set(Object.keys((schema?.properties ?? {}) as Json));
}

/**
 * authentik's `BlueprintEntry.from_model`: the object's serialized writable fields as attrs (read-only ones
 * and empty values left out), its primary key (and the named fields) as identifiers.
 */
export async function entryFromRow(ctx: ModelContext, model: ModelDefinition<Json>, row: Json, ...extraIdentifiers: string[]): Promise<ExportedEntry> {
  const [serialized] = await model.serialize([row], ctx);
  const writable = writableFields(model);
  const attrs: Json = {};
  for (const [field, value] of Object.entries(serialized)) {
    if (!writable.has(field) || value === null || value === undefined || field.endsWith('_set')) continue;
    attrs[field] = value;
  }
  const identifiers: Json = { pk: primaryKeyOf(model, row) };
  for (const name of extraIdentifiers) {
    identifiers[name] = attrs[name] ?? null;
    delete attrs[name];
  }
  return { model: model.name, identifiers, attrs };
}

function tablesReferencedBy(table: PgTable): string[] {
  return getTableConfig(table).foreignKeys.map((fk) => getTableName(fk.reference().foreignTable));
}

/** Fields whose column refers to the model's own table. */
function selfReferences(model: ModelDefinition<Json>): string[] {
  const own = getTableName(model.table);
  const columns = new Set(getTableConfig(model.table).foreignKeys
    .filter((fk) => getTableName(fk.reference().foreignTable) === own)
    .flatMap((fk) => fk.reference().columns.map((c) => c.name)));
  return Object.entries(model.fields).filter(([, spec]) => columns.has(spec.column.name)).map(([field]) => field);
}

/** Models whose tables others refer to come first, so that a re-import finds what each entry points at. */
function dependencyOrder(list: ModelDefinition<Json>[]): ModelDefinition<Json>[] {
  const byTable = new Map<string, ModelDefinition<Json>>();
  for (const model of list) byTable.set(getTableName(model.parent?.table ?? model.table), model);
  const ordered: ModelDefinition<Json>[] = [];
  const seen = new Set<ModelDefinition<Json>>();
  const visit = (model: ModelDefinition<Json>) => {
    if (seen.has(model)) return;
    seen.add(model);
    for (const table of [model.table, model.parent?.table]) {
      if (!table) continue;
      for (const name of tablesReferencedBy(table)) {
        const target = byTable.get(name);
        if (target && target !== model) visit(target);
      }
    }
    ordered.push(model);
  };
  list.forEach(visit);
  return ordered;
}

/**
 * Every exportable object of the install (`ak export_blueprint`). Many-to-many fields (relations) and references
 * to the same model (a group's parent) go in a second entry per object at the end, so that whatever they point
 * at exists when a re-import links them.
 */
export async function exportInstall(services: Services): Promise<ExportedBlueprint> {
  const ctx = systemContext(services);
  const entries: ExportedEntry[] = [];
  const links: ExportedEntry[] = [];
  const exportable = models.all().filter((model) => !NOT_EXPORTED.has(model.name) && model.requestSchema);
  for (const model of dependencyOrder(exportable)) {
    const rows = (await selectRows(services.db, model).orderBy(model.pk)) as Json[];
    for (const row of rows) {
      const entry = await entryFromRow(ctx, model, row);
      const linked: Json = {};
      for (const field of [...Object.keys(model.relations ?? {}), ...selfReferences(model)]) {
        if (!(field in entry.attrs)) continue;
        linked[field] = entry.attrs[field];
        delete entry.attrs[field];
      }
      entries.push(entry);
      if (Object.keys(linked).length) links.push({ model: model.name, identifiers: entry.identifiers, attrs: linked });
    }
  }
  return {
    version: 1,
    metadata: { name: `authentik Export - ${new Date().toISOString()}`, labels: { [LABEL_GENERATED]: 'true' } },
    entries: [...entries, ...links],
  };
}

/** `!KeyOf` references between entries (a flow export's policy bindings). */
const keyOfTag = {
  tag: '!KeyOf',
  identify: (value: unknown) => value instanceof KeyOf,
  resolve: (value: string) => new KeyOf(value),
  stringify: (item: { value: unknown }) => (item.value as KeyOf).id,
} as unknown as ScalarTag;

/** YAML as authentik's `BlueprintDumper` writes it: block style, no anchors. */
export function dumpBlueprint(blueprint: ExportedBlueprint): string {
  return stringify(blueprint, { aliasDuplicateObjects: false, lineWidth: 0, customTags: [keyOfTag] });
}
