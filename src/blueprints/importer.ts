import { eq, getTableColumns } from 'drizzle-orm';
import type { ModelContext, Services } from '../api/context.js';
import { systemContext } from '../api/context.js';
import type { Json, ModelDefinition } from '../api/model.js';
import { models } from '../api/registry.js';
import { ApiError, ValidationError } from '../api/errors.js';
import { columnKey, createObject, primaryKeyOf, requestSchemaOf, updateObject, withTransaction } from '../api/writer.js';
import { coerceToSchema } from './coerce.js';
import { rootTable } from '../api/inheritance.js';
import type { Db } from '../db/database.js';
import { BlueprintInvalidError, EntryValidationError, type BlueprintProblem } from './errors.js';
import { META_MODELS } from './meta.js';
export { META_APPLY_BLUEPRINT } from './meta.js';
import type { Blueprint, BlueprintEntry } from './loader.js';
import { coreBlueprintFields } from './model-fields.js';
import { truthy } from './python.js';
import { allOf, firstRow, identifierQuery, LookupError } from './query.js';
import { deepMerge, Enumerate, isMapping, YamlTag, type TagScope } from './tags.js';

const STATES = ['present', 'created', 'must_created', 'absent'] as const;
type EntryState = (typeof STATES)[number];
/** authentik's `is_model_allowed`: base classes and internal models are never blueprint entries (`!Find` may use them). */
const NOT_ALLOWED = new Set([
  'authentik_core.provider', 'authentik_core.source', 'authentik_core.propertymapping', 'authentik_core.usersourceconnection',
  'authentik_flows.stage', 'authentik_outposts.outpostserviceconnection', 'authentik_policies.policy',
  'authentik_policies.policybindingmodel', 'authentik_core.authenticatedsession', 'authentik_flows.flowtoken',
]);
/** Models whose `permissions` attribute sets global permissions (RBAC, not built yet). */
const PERMISSION_MODELS = new Set(['authentik_core.user', 'authentik_rbac.role']);

export type EntryAction = 'created' | 'updated' | 'unchanged' | 'deleted' | 'skipped' | 'applied';

export interface EntryResult {
  index: number;
  model: string;
  id?: string;
  action: EntryAction;
  pk?: unknown;
  /** Why an entry was skipped, or what an `applied` meta entry applied. */
  detail?: string;
}

export interface ApplyResult {
  ok: boolean;
  entries: EntryResult[];
  problems: BlueprintProblem[];
  warnings: string[];
  /** The models the blueprint's entries wrote, for the instance's `managed_models`. */
  models: string[];
}

/** What a meta entry (`metaapplyblueprint`) needs from the instances module, without importing it. */
export interface MetaApplier {
  /** Finds the instance matching `identifiers` and applies it inside `tx`; undefined when none matches. */
  apply(identifiers: Json, tx: Db): Promise<{ name: string; result: ApplyResult } | undefined>;
}

export interface ApplyOptions {
  /** Context merged over the blueprint's own (an instance's `context`). */
  context?: Record<string, unknown>;
  /** Validate only: every entry is applied and then everything is rolled back. */
  dryRun?: boolean;
  /** Called after each entry, for progress output. */
  onEntry?(result: EntryResult): void;
  /** A transaction to run in (nested applies); the blueprint then gets a savepoint of it. */
  tx?: Db;
  meta?: MetaApplier;
  /** Runs inside the transaction after a successful apply, before it commits (recording an instance's status). */
  beforeCommit?(tx: Db, result: ApplyResult): Promise<void>;
}

class Rollback extends Error {}

/** Django's `apps.get_model` is case-insensitive (`authentik_flows.Flow`). */
export function modelNamed(name: string): ModelDefinition<Json> | undefined {
  return models.get(name) ?? models.get(name.toLowerCase());
}

interface Applied {
  entry: BlueprintEntry;
  model: string;
  row: Json;
  pk: unknown;
}

function defaultContext(): Record<string, unknown> {
  const rbacModels: Record<string, string> = {};
  for (const model of models.all()) {
    const [app, name] = model.name.split('.');
    rbacModels[name] = app;
  }
  return { 'goauthentik.io/enterprise/licensed': false, 'goauthentik.io/rbac/models': rbacModels };
}

/** Field errors of a DRF-shaped body as problems, placed under `identifiers.` or `attrs.` where the field came from. */
function fieldProblems(fields: Record<string, unknown>, identifiers: Json, where: Omit<BlueprintProblem, 'message' | 'path'>): BlueprintProblem[] {
  const problems: BlueprintProblem[] = [];
  const flatten = (value: unknown): string[] => {
    if (Array.isArray(value)) return value.flatMap(flatten);
    if (isMapping(value)) return Object.entries(value).flatMap(([k, v]) => flatten(v).map((m) => `${k}: ${m}`));
    return [String(value)];
  };
  for (const [field, messages] of Object.entries(fields)) {
    const path = field === 'non_field_errors' || field === 'detail' ? 'attrs' : `${field in identifiers ? 'identifiers' : 'attrs'}.${field}`;
    for (const message of flatten(messages)) problems.push({ ...where, path, message });
  }
  return problems;
}

/** Resolves an entry's tags, tracking where in the entry it is for error reports. */
class EntryScope implements TagScope {
  readonly enumerations: Enumerate[] = [];
  private readonly path: string[] = [];

  constructor(
    private readonly importer: BlueprintApplication,
    readonly entry: BlueprintEntry,
    readonly context: Record<string, unknown>,
    private readonly tx: Db,
  ) {}

  get where(): Omit<BlueprintProblem, 'message'> {
    const model = typeof this.entry.model === 'string' ? this.entry.model : undefined;
    return { entry: this.entry.index, model, id: this.entry.id, path: this.path.join('.') || undefined };
  }

  fail(message: string): never {
    throw new BlueprintInvalidError([{ ...this.where, message }]);
  }

  failAt(path: string, message: string): never {
    throw new BlueprintInvalidError([{ ...this.where, path, message }]);
  }

  async resolveAt(value: unknown, path: string): Promise<unknown> {
    this.path.push(path);
    try {
      return await this.resolve(value);
    } finally {
      this.path.pop();
    }
  }

  async resolve(value: unknown): Promise<unknown> {
    if (value instanceof Enumerate) {
      this.enumerations.push(value);
      try {
        return await value.resolve(this);
      } finally {
        this.enumerations.pop();
      }
    }
    if (value instanceof YamlTag) return value.resolve(this);
    if (Array.isArray(value)) {
      const out: unknown[] = [];
      for (let i = 0; i < value.length; i++) out.push(await this.resolveAt(value[i], String(i)));
      return out;
    }
    if (isMapping(value)) {
      const out: Record<string, unknown> = {};
      for (const [key, inner] of Object.entries(value)) out[key] = await this.resolveAt(inner, key);
      return out;
    }
    return value;
  }

  keyOf(id: string): unknown {
    const found = this.importer.appliedById(id);
    if (!found) this.fail(`KeyOf: failed to find entry with \`id\` of \`${id}\` and a model instance`);
    // A policy binding targets the object's policy binding model, whose key is `pbm_uuid`.
    if (String(this.entry.model).toLowerCase() === 'authentik_policies.policybinding' && found.row.pbmUuid !== undefined) return found.row.pbmUuid;
    return found.pk;
  }

  async find(modelName: string, conditions: [string, unknown][]) {
    const model = modelNamed(modelName);
    if (!model) this.fail(`Find: model ${modelName} is not supported`);
    let row: Json | undefined;
    try {
      row = await firstRow(this.tx, model, allOf(model, conditions));
    } catch (err) {
      if (err instanceof LookupError) this.fail(`Find: ${err.message}`);
      throw err;
    }
    if (!row) return undefined;
    const found = row;
    return {
      pk: primaryKeyOf(model, found),
      serialize: async () => (await model.serialize([found], this.importer.modelContext(this.tx, this.entry, modelName)))[0],
    };
  }
}

/** One application of a blueprint: entries in order, each in a savepoint, all or nothing. */
class BlueprintApplication {
  private readonly applied: Applied[] = [];
  /** Primary keys an exported blueprint named (`identifiers.pk`) → the keys they have here. */
  private readonly pkMap = new Map<unknown, unknown>();
  readonly result: ApplyResult = { ok: true, entries: [], problems: [], warnings: [], models: [] };
  private readonly context: Record<string, unknown>;

  constructor(
    private readonly services: Services,
    private readonly blueprint: Blueprint,
    private readonly options: ApplyOptions,
  ) {
    this.context = deepMerge(deepMerge(defaultContext(), copyData(blueprint.context)), copyData(options.context ?? {}));
  }

  appliedById(id: string): Applied | undefined {
    for (let i = this.applied.length - 1; i >= 0; i--) if (this.applied[i].entry.id === id) return this.applied[i];
    return undefined;
  }

  modelContext(tx: Db, entry: BlueprintEntry, model: string): ModelContext {
    return withTransaction(systemContext(this.services, { blueprint: { model, index: entry.index } }), tx);
  }

  async run(tx: Db): Promise<void> {
    for (const entry of this.blueprint.entries) {
      try {
        // A savepoint per entry: a failed entry is undone alone, and later entries are still checked.
        const outcome = await tx.transaction((sp) => this.applyEntry(entry, sp as unknown as Db));
        this.result.entries.push(outcome);
        if (outcome.action !== 'skipped' && !this.result.models.includes(outcome.model) && !Object.hasOwn(META_MODELS, outcome.model)) {
          this.result.models.push(outcome.model);
        }
        this.options.onEntry?.(outcome);
      } catch (err) {
        this.result.ok = false;
        const where = { entry: entry.index, model: typeof entry.model === 'string' ? entry.model : undefined, id: entry.id };
        if (err instanceof BlueprintInvalidError) this.result.problems.push(...err.problems.map((p) => ({ ...where, ...p })));
        else if (err instanceof EntryValidationError) this.result.problems.push(...err.problems);
        else if (err instanceof ApiError) this.result.problems.push({ ...where, message: JSON.stringify(err.body) });
        else {
          this.services.log.error({ err: { message: (err as Error).message }, entry: entry.index }, 'blueprint entry failed');
          this.result.problems.push({ ...where, message: (err as Error).message });
        }
      }
    }
  }

  private async applyEntry(entry: BlueprintEntry, tx: Db): Promise<EntryResult> {
    const scope: EntryScope = new EntryScope(this, entry, this.context, tx);
    for (let i = 0; i < entry.conditions.length; i++) {
      if (!truthy(await scope.resolveAt(entry.conditions[i], `conditions.${i}`))) {
        return { index: entry.index, model: String(entry.model), id: entry.id, action: 'skipped', detail: 'conditions not met' };
      }
    }
    const modelName = String(await scope.resolveAt(entry.model, 'model'));
    const state = String(await scope.resolveAt(entry.state, 'state')) as EntryState;
    const base = { index: entry.index, model: modelName, id: entry.id };
    if (!STATES.includes(state)) scope.failAt('state', `invalid state "${state}" (one of ${STATES.join(', ')})`);
    if (Object.hasOwn(META_MODELS, modelName)) return { ...base, ...(await this.applyMeta(scope, modelName, tx)) };
    const model = modelNamed(modelName);
    if (model && (NOT_ALLOWED.has(model.name) || !model.requestSchema)) scope.failAt('model', `Model ${model.name} not allowed`);
    if (!model) {
      scope.failAt('model', /^[a-z0-9_]+\.[a-z0-9_]+$/i.test(modelName) ? `model ${modelName} is not supported by authentik-ts` : `invalid model name "${modelName}"`);
    }

    const identifiers = this.replacePks(await this.mapping(scope, entry.identifiers, 'identifiers'));
    for (const [key, value] of Object.entries(identifiers)) if (isMapping(value) && 'pk' in value) identifiers[key] = value.pk;
    if (!Object.keys(identifiers).length) scope.failAt('identifiers', 'No or invalid identifiers');
    let existing: Json | undefined;
    try {
      existing = await firstRow(tx, model, identifierQuery(model, identifiers));
    } catch (err) {
      if (err instanceof LookupError) scope.failAt('identifiers', `Invalid identifier field: ${err.message}`);
      throw err;
    }

    if (state === 'absent') {
      if (!existing) return { ...base, action: 'skipped', detail: 'nothing to delete' };
      await tx.delete(rootTable(model)).where(eq(model.pk, primaryKeyOf(model, existing)));
      return { ...base, action: 'deleted', pk: primaryKeyOf(model, existing) };
    }
    if (existing && state === 'must_created') scope.failAt('state', 'State is set to must_created and object exists already');

    let row: Json;
    let action: EntryAction;
    if (existing && state === 'created') {
      row = existing;
      action = 'unchanged';
    } else {
      const attrs = this.replacePks(await this.mapping(scope, entry.attrs, 'attrs'));
      const data = deepMerge(attrs, copyData(identifiers));
      if (PERMISSION_MODELS.has(modelName) && 'permissions' in data) {
        delete data.permissions;
        this.result.warnings.push(`entry ${entry.index} (${modelName}): global permissions are not applied, authentik-ts has no RBAC yet`);
      }
      const ctx = this.modelContext(tx, entry, modelName);
      if (model.requestSchema) Object.assign(data, coerceToSchema(requestSchemaOf(model, Boolean(existing)), data));
      const options = { blueprintFields: coreBlueprintFields[modelName] };
      try {
        if (existing) {
          const [before] = await model.serialize([existing], ctx);
          row = await updateObject(model, existing, data, ctx, tx, true, options);
          const [after] = await model.serialize([row], ctx);
          action = sameRow(model, existing, row) && JSON.stringify(before) === JSON.stringify(after) ? 'unchanged' : 'updated';
        } else {
          const pkColumns = 'pk' in identifiers ? { [columnKey(model, model.pk)]: identifiers.pk } : undefined;
          row = await createObject(model, data, ctx, tx, { ...options, columns: pkColumns });
          action = 'created';
        }
      } catch (err) {
        if (err instanceof ValidationError) throw new EntryValidationError(fieldProblems(err.fields, identifiers, { entry: entry.index, model: modelName, id: entry.id }));
        throw err;
      }
    }
    const pk = primaryKeyOf(model, row);
    const rawIdentifiers = isMapping(entry.identifiers) ? entry.identifiers : {};
    if ('pk' in rawIdentifiers && !(rawIdentifiers.pk instanceof YamlTag)) this.pkMap.set(rawIdentifiers.pk, pk);
    this.applied.push({ entry, model: modelName, row, pk });
    await this.permissions(scope, entry);
    return { ...base, action, pk };
  }

  /** Object permissions are resolved (so their tags are checked) and reported as not applied until RBAC exists. */
  private async permissions(scope: EntryScope, entry: BlueprintEntry): Promise<void> {
    if (!entry.permissions.length) return;
    const resolved = await scope.resolveAt(entry.permissions, 'permissions');
    for (const [i, permission] of (resolved as unknown[]).entries()) {
      if (!isMapping(permission) || typeof permission.permission !== 'string') {
        scope.failAt(`permissions.${i}`, 'a permission needs `permission` and a `user` or `role`');
      }
    }
    this.result.warnings.push(`entry ${entry.index}: ${entry.permissions.length} object permission(s) not applied, authentik-ts has no RBAC yet`);
  }

  private async applyMeta(scope: EntryScope, modelName: string, tx: Db): Promise<Pick<EntryResult, 'action' | 'detail'>> {
    const attrs = await this.mapping(scope, scope.entry.attrs, 'attrs');
    const where = { entry: scope.entry.index, model: modelName, id: scope.entry.id };
    const outcome = await META_MODELS[modelName]({ attrs, tx, where, meta: this.options.meta });
    this.result.warnings.push(...(outcome.warnings ?? []));
    return { action: outcome.action, detail: outcome.detail };
  }

  private async mapping(scope: EntryScope, value: unknown, path: string): Promise<Json> {
    const resolved = await scope.resolveAt(value, path);
    if (resolved === null || resolved === undefined) return {};
    if (!isMapping(resolved)) {
      scope.failAt(path, 'expected a mapping');
    }
    return resolved;
  }

  /** authentik's `__update_pks_for_attrs`: values that are primary keys an exported blueprint named are mapped. */
  private replacePks(attrs: Json): Json {
    if (!this.pkMap.size) return attrs;
    const update = (value: unknown) => (isHashable(value) && this.pkMap.has(value) ? this.pkMap.get(value) : value);
    for (const [key, value] of Object.entries(attrs)) {
      if (isMapping(value)) for (const inner of Object.keys(value)) value[inner] = update(value[inner]);
      else if (Array.isArray(value)) attrs[key] = value.map(update);
      else attrs[key] = update(value);
    }
    return attrs;
  }
}


/** Rows equal but for columns the database layer stamps on every update (`last_updated`). */
function sameRow(model: ModelDefinition<Json>, before: Json, after: Json): boolean {
  const stamped = new Set<string>();
  for (const table of [model.table, model.parent?.table]) {
    for (const [key, column] of Object.entries(table ? getTableColumns(table) : {})) if ((column as { onUpdateFn?: unknown }).onUpdateFn) stamped.add(key);
  }
  const strip = (row: Json) => JSON.stringify(Object.fromEntries(Object.entries(row).filter(([key]) => !stamped.has(key))));
  return strip(before) === strip(after);
}

function isHashable(value: unknown): boolean {
  return value === null || ['string', 'number', 'boolean'].includes(typeof value);
}


/** Copies plain data while keeping tag objects (structuredClone would strip their classes). */
function copyData<T>(value: T): T {
  if (Array.isArray(value)) return value.map(copyData) as T;
  if (isMapping(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, copyData(v)])) as T;
  return value;
}

/**
 * Applies a blueprint in one transaction: every entry is validated with the same serializer rules as the API and
 * written; if any entry fails, nothing is kept and every problem is reported with its entry and path.
 */
export async function applyBlueprint(services: Services, blueprint: Blueprint, options: ApplyOptions = {}): Promise<ApplyResult> {
  const application = new BlueprintApplication(services, blueprint, options);
  const work = async (tx: Db) => {
    await application.run(tx);
    if (!application.result.ok || options.dryRun) throw new Rollback();
    await options.beforeCommit?.(tx, application.result);
  };
  try {
    if (options.tx) await options.tx.transaction((sp) => work(sp as unknown as Db));
    else await services.db.transaction((tx) => work(tx as unknown as Db));
  } catch (err) {
    if (!(err instanceof Rollback)) throw err;
  }
  return application.result;
}
