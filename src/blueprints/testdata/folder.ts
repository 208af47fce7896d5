import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Services } from '../../api/context.js';
import { loadSchemaDocument } from '../../api/contract/document.js';
import { discoverBlueprints } from '../discovery.js';
import { describeProblem } from '../errors.js';
import { findBlueprintFiles } from '../files.js';
import { modelNamed } from '../importer.js';
import { applyInstance } from '../instances.js';
import { loadBlueprint, type Blueprint } from '../loader.js';
import { META_MODELS } from '../meta.js';
import { blueprintInstances } from '../table.js';
import { Find, YamlTag, isMapping } from '../tags.js';

/** Model names a blueprint needs: its entries' and those its `!Find` tags look up, where they are plain strings. */
function modelsOf(blueprint: Blueprint): Set<string> {
  const names = new Set<string>();
  const walk = (value: unknown): void => {
    if (value instanceof Find && typeof value.args[0] === 'string') names.add(value.args[0].toLowerCase());
    if (value instanceof YamlTag) {
      for (const inner of Object.values(value)) walk(inner);
    } else if (Array.isArray(value)) value.forEach(walk);
    else if (isMapping(value)) Object.values(value).forEach(walk);
  };
  for (const entry of blueprint.entries) {
    if (typeof entry.model === 'string') names.add(entry.model.toLowerCase());
    walk([entry.identifiers, entry.attrs, entry.conditions, entry.permissions, entry.state]);
  }
  walk(blueprint.context);
  return names;
}

type SchemaNode = Record<string, unknown>;

function resolveRef(node: SchemaNode | undefined): SchemaNode | undefined {
  const ref = node?.$ref ?? (node?.allOf as SchemaNode[] | undefined)?.[0]?.$ref;
  if (typeof ref !== 'string') return node;
  return loadSchemaDocument().components.schemas[ref.slice('#/components/schemas/'.length)] as SchemaNode | undefined;
}

/**
 * Plain values the 2023.10 schema cannot hold: choices it does not know (a newer authentik's password backend,
 * say) and text where it has a number (a later duration syntax), as `model field: value`. What a fixture of a
 * later authentik version needs that 2023.10 cannot have.
 */
function newerValuesOf(blueprint: Blueprint): string[] {
  const found: string[] = [];
  for (const entry of blueprint.entries) {
    const model = typeof entry.model === 'string' ? modelNamed(entry.model) : undefined;
    if (!model?.requestSchema || !isMapping(entry.attrs)) continue;
    const properties = (loadSchemaDocument().components.schemas[model.requestSchema] as SchemaNode | undefined)?.properties as Record<string, SchemaNode> | undefined;
    for (const [field, value] of Object.entries(entry.attrs)) {
      const property = properties?.[field];
      if (property?.type === 'integer' && typeof value === 'string' && !/^-?\d+$/.test(value.trim())) found.push(`${model.name} ${field}: ${value}`);
      const isList = property?.type === 'array';
      const choices = resolveRef(isList ? (property?.items as SchemaNode | undefined) : property)?.enum as unknown[] | undefined;
      if (!choices) continue;
      for (const item of isList && Array.isArray(value) ? value : [value]) {
        if (typeof item === 'string' && !choices.includes(item)) found.push(`${model.name} ${field}: ${item}`);
      }
    }
  }
  return found;
}

export interface FolderCheck {
  total: number;
  applied: string[];
  failures: string[];
  /** Path → the models (or choices) authentik-ts does not have. */
  unsupported: Map<string, string[]>;
}

/**
 * Applies every blueprint of the services' blueprints folder whose models authentik-ts supports, each after
 * instances exist for all files (meta entries look them up), and says which models the others miss. Those that
 * fail are tried again while others succeed, as authentik's periodic discovery retries them: a blueprint may
 * `!Find` what another one makes without applying it first.
 */
export async function checkBlueprintFolder(services: Services): Promise<FolderCheck> {
  const root = services.config.blueprints_dir;
  const files = await findBlueprintFiles(services.config);
  const fixtures = new Map<string, { missing: Set<string> }>();
  for (const file of files) {
    const blueprint = loadBlueprint(readFileSync(join(root, file.path), 'utf8'));
    const missing = new Set([...modelsOf(blueprint)].filter((name) => !modelNamed(name) && !Object.hasOwn(META_MODELS, name)));
    for (const value of newerValuesOf(blueprint)) missing.add(`${value} (newer than 2023.10)`);
    fixtures.set(file.path, { missing });
  }
  await discoverBlueprints(services, { apply: false });
  const instances = await services.db.select().from(blueprintInstances);
  for (const file of files) {
    if (!instances.some((i) => i.path === file.path)) await services.db.insert(blueprintInstances).values({ name: file.meta?.name ?? file.path, path: file.path });
  }

  const check: FolderCheck = { total: fixtures.size, applied: [], failures: [], unsupported: new Map() };
  let pending: string[] = [];
  for (const path of [...fixtures.keys()].sort()) {
    // Only its own models: a blueprint it applies through a meta entry fails alone, as in authentik.
    const { missing } = fixtures.get(path)!;
    if (missing.size) check.unsupported.set(path, [...missing].sort());
    else pending.push(path);
  }
  const failures = new Map<string, string>();
  for (let progress = true; pending.length && progress;) {
    progress = false;
    const failed: string[] = [];
    for (const path of pending) {
      const [instance] = (await services.db.select().from(blueprintInstances)).filter((i) => i.path === path);
      const outcome = await applyInstance(services, instance);
      if (outcome.instance.status === 'successful') {
        check.applied.push(path);
        progress = true;
      } else {
        failed.push(path);
        failures.set(path, `${path}: ${outcome.problems.map(describeProblem).join('; ')}`);
      }
    }
    pending = failed;
  }
  check.failures = pending.map((path) => failures.get(path)!);
  check.applied.sort();
  return check;
}
