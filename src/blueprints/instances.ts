import { eq } from 'drizzle-orm';
import type { Services } from '../api/context.js';
import type { Json, ModelDefinition } from '../api/model.js';
import type { Db } from '../db/database.js';
import { recordTaskResult, type TaskResult } from '../admin/tasks.js';
import { BlueprintInvalidError, describeProblem, type BlueprintProblem } from './errors.js';
import { contentHash, readBlueprintFile } from './files.js';
import { applyBlueprint, type ApplyResult, type EntryResult, type MetaApplier } from './importer.js';
import { loadBlueprint } from './loader.js';
import { allOf, firstRow, LookupError } from './query.js';
import { blueprintInstances, type BlueprintInstanceRow } from './table.js';
import { blueprintInstanceModel } from './model.js';
import { models } from '../api/registry.js';

export interface InstanceApplyOutcome {
  instance: BlueprintInstanceRow;
  /** Absent when the instance is disabled or its blueprint could not be read or parsed. */
  result?: ApplyResult;
  problems: BlueprintProblem[];
}

export interface InstanceApplyOptions {
  /** Apply inside this transaction (a meta entry of another blueprint). */
  tx?: Db;
  /** Instances being applied around this one, to break circular `metaapplyblueprint` chains. */
  stack?: string[];
  onEntry?(result: EntryResult): void;
}

const queues = new WeakMap<Services, Promise<unknown>>();
/** Arbitrary but fixed: every server contends for the same advisory lock while applying blueprints. */
const BLUEPRINT_LOCK_KEY = 0x616b6270;

/**
 * Runs blueprint work one piece at a time per server (API `apply`, discovery, the watcher, the periodic check),
 * so that two applies never race on the same objects.
 */
export function serially<T>(services: Services, work: () => Promise<T>): Promise<T> {
  const previous = queues.get(services) ?? Promise.resolve();
  // Across instances on one PostgreSQL server too: two servers discovering at once would both create instances.
  const locked = () => services.database.withAdvisoryLock(BLUEPRINT_LOCK_KEY, work);
  const run = previous.then(locked, locked);
  queues.set(services, run.catch(() => undefined));
  return run;
}

/** Resolves once every queued blueprint apply has finished. */
export async function blueprintsIdle(services: Services): Promise<void> {
  let current: Promise<unknown> | undefined;
  while (current !== queues.get(services)) {
    current = queues.get(services);
    await current;
  }
}

function instanceModel(): ModelDefinition<Json> {
  return blueprintInstanceModel as unknown as ModelDefinition<Json>;
}

export function metaApplier(services: Services, stack: string[]): MetaApplier {
  return {
    async apply(identifiers: Json, tx: Db) {
      let row: BlueprintInstanceRow | undefined;
      try {
        row = (await firstRow(tx, instanceModel(), allOf(instanceModel(), Object.entries(identifiers)))) as BlueprintInstanceRow | undefined;
      } catch (err) {
        if (err instanceof LookupError) throw BlueprintInvalidError.of(err.message, { path: 'attrs.identifiers' });
        throw err;
      }
      if (!row) return undefined;
      const skipped = (warning: string): ApplyResult => ({ ok: true, entries: [], problems: [], warnings: [warning], models: [] });
      if (stack.includes(row.instanceUuid)) return { name: row.name, result: skipped(`blueprint "${row.name}" is already being applied (circular dependency)`) };
      if (!row.enabled) return { name: row.name, result: skipped(`blueprint "${row.name}" is disabled`) };
      const outcome = await applyInstance(services, row, { tx, stack });
      return { name: row.name, result: outcome.result ?? { ok: false, entries: [], problems: outcome.problems, warnings: [], models: [] } };
    },
  };
}

/**
 * What a failed apply depends on: the blueprint's content and the models this server has (a model that lands
 * in an upgrade may be what it missed). Data it looked up is not part of it: the hourly check retries anyway.
 */
export function failureFingerprint(hash: string): string {
  return contentHash(`${hash}\n${models.all().map((model) => model.name).sort().join(',')}`);
}

async function save(db: Db, row: BlueprintInstanceRow, values: Partial<BlueprintInstanceRow>): Promise<BlueprintInstanceRow> {
  const [updated] = await db.update(blueprintInstances).set(values).where(eq(blueprintInstances.instanceUuid, row.instanceUuid)).returning();
  return updated ?? row;
}

/**
 * Applies one instance, as authentik's `apply_blueprint` task: reads its file or content, applies it with the
 * instance's context, and records status, metadata, hash and the models it manages. Errors go to the instance's
 * status and the log, not to the caller.
 */
export async function applyInstance(services: Services, instance: BlueprintInstanceRow, options: InstanceApplyOptions = {}): Promise<InstanceApplyOutcome> {
  const db = options.tx ?? services.db;
  const log = services.log.child({ blueprint: instance.name, path: instance.path || undefined });
  if (!instance.enabled) return { instance, problems: [] };
  const fail = async (problems: BlueprintProblem[], values: Partial<BlueprintInstanceRow> = {}) => {
    log.warn({ problems: problems.map(describeProblem) }, 'blueprint failed');
    return { instance: await save(db, instance, { ...values, status: 'error' }), problems };
  };
  const failOn = (content: string) => (problems: BlueprintProblem[], values: Partial<BlueprintInstanceRow> = {}) => (
    fail(problems, { ...values, failedFingerprint: failureFingerprint(contentHash(content)) }));
  let content: string;
  try {
    content = instance.path ? await readBlueprintFile(services.config, instance.path) : instance.content;
  } catch (err) {
    return fail([{ message: `failed to read blueprint: ${(err as Error).message}` }]);
  }
  let blueprint;
  try {
    blueprint = loadBlueprint(content);
  } catch (err) {
    if (err instanceof BlueprintInvalidError) return failOn(content)(err.problems);
    throw err;
  }
  const metadata = (blueprint.metadata ?? {}) as Record<string, unknown>;
  let saved = instance;
  const result = await applyBlueprint(services, blueprint, {
    context: instance.context,
    tx: options.tx,
    meta: metaApplier(services, [...(options.stack ?? []), instance.instanceUuid]),
    onEntry: options.onEntry,
    // The outcome commits with the objects: nobody sees the objects of an apply whose instance says otherwise.
    async beforeCommit(tx, applied) {
      saved = await save(tx, instance, {
        status: 'successful', metadata, lastAppliedHash: contentHash(content), lastApplied: new Date(), managedModels: applied.models, failedFingerprint: '',
      });
    },
  });
  for (const warning of result.warnings) log.warn(warning);
  if (!result.ok) return { ...(await failOn(content)(result.problems, { metadata })), result };
  const counts: Record<string, number> = {};
  for (const entry of result.entries) counts[entry.action] = (counts[entry.action] ?? 0) + 1;
  log.info({ ...counts }, 'applied blueprint');
  return { instance: saved, result, problems: [] };
}

/** Applies the instance with this primary key now (queued behind other blueprint work). */
export function applyInstanceById(services: Services, instanceUuid: string, options: Omit<InstanceApplyOptions, 'tx'> = {}): Promise<InstanceApplyOutcome | undefined> {
  return serially(services, async () => {
    const [row] = await services.db.select().from(blueprintInstances).where(eq(blueprintInstances.instanceUuid, instanceUuid));
    if (!row) return undefined;
    const started = new Date();
    const outcome = await applyInstance(services, row, options);
    await recordApply(services, outcome, started);
    return outcome;
  });
}

export const APPLY_TASK = 'apply_blueprint';

/** authentik names an instance's task run by the slug of its name. */
function slugify(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '');
}

export function applyTaskResult(outcome: InstanceApplyOutcome): TaskResult {
  const failed = outcome.instance.status === 'error';
  return { status: failed ? 'ERROR' : 'SUCCESSFUL', uid: slugify(outcome.instance.name), messages: failed ? outcome.problems.map(describeProblem) : [] };
}

/** Shows each top-level apply under /admin/system_tasks/ as `apply_blueprint:<slug>`, retryable from there. */
export async function recordApply(services: Services, outcome: InstanceApplyOutcome, started: Date): Promise<void> {
  if (!outcome.instance.enabled) return;
  await recordTaskResult(services.db, {
    ...applyTaskResult(outcome), name: APPLY_TASK, description: 'Apply single blueprint', started, finished: new Date(), args: [outcome.instance.instanceUuid],
  });
}
