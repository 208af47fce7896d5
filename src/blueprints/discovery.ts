import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import type { Services } from '../api/context.js';
import { blueprintFileOf, blueprintsRoot, scanBlueprintFiles, type BlueprintFile, type ScannedFile } from './files.js';
import { META_APPLY_BLUEPRINT } from './importer.js';
import { applyInstance, failureFingerprint, recordApply } from './instances.js';
import { LABEL_INSTANTIATE, loadBlueprint } from './loader.js';
import { blueprintInstances, type BlueprintInstanceRow } from './table.js';
import { isMapping } from './tags.js';


export interface DiscoverySummary {
  files: number;
  created: string[];
  applied: string[];
  failed: string[];
  removed: string[];
}

export interface DiscoveryOptions {
  /** Only create and remove instances (default: also apply those whose file changed). */
  apply?: boolean;
  /**
   * Also retry instances whose last apply failed on the same file with the same models (the hourly check does,
   * as authentik retries them then); otherwise they wait until their file or the models change.
   */
  retryFailed?: boolean;
}

interface Candidate {
  file: BlueprintFile;
  text: string;
  instance: BlueprintInstanceRow;
  /** Paths or names of the blueprints its `metaapplyblueprint` entries apply. */
  needs: string[];
}

/** The blueprints a file applies through meta entries, when their identifiers are plain values. */
function dependenciesOf(text: string): string[] {
  try {
    const needs: string[] = [];
    for (const entry of loadBlueprint(text).entries) {
      if (entry.model !== META_APPLY_BLUEPRINT || !isMapping(entry.attrs) || !isMapping(entry.attrs.identifiers)) continue;
      const { path: needPath, name } = entry.attrs.identifiers;
      if (typeof needPath === 'string') needs.push(needPath);
      if (typeof name === 'string') needs.push(name);
    }
    return needs;
  } catch {
    return [];
  }
}

/** Dependencies first; a cycle is broken where it is found (the meta entry then applies the other one itself). */
function dependencyOrder(candidates: Candidate[]): Candidate[] {
  const ordered: Candidate[] = [];
  const state = new Map<Candidate, 'visiting' | 'done'>();
  const visit = (candidate: Candidate) => {
    if (state.has(candidate)) return;
    state.set(candidate, 'visiting');
    for (const need of candidate.needs) {
      const target = candidates.find((c) => c.file.path === need || c.instance.name === need);
      if (target) visit(target);
    }
    state.set(candidate, 'done');
    ordered.push(candidate);
  };
  candidates.forEach(visit);
  return ordered;
}

/** Whether an instance's file needs no apply: applied as it is, disabled, or failed on this very file and models. */
function settled(instance: BlueprintInstanceRow, file: ScannedFile, options: DiscoveryOptions): boolean {
  if (!instance.enabled || instance.lastAppliedHash === file.hash) return true;
  return !options.retryFailed && instance.failedFingerprint === failureFingerprint(file.hash);
}

/**
 * authentik's `blueprints_discovery`: every file under the blueprints folder whose `instantiate` label is not
 * "false" gets an instance; instances whose file changed (hash) are applied, dependencies first. Instances of
 * files that are gone are removed (the objects they made stay). Files whose instance is settled are only hashed,
 * never parsed, so that a start with nothing changed costs a folder scan and one query. Call it through `serially`.
 */
export async function discoverBlueprints(services: Services, options: DiscoveryOptions = {}): Promise<DiscoverySummary> {
  const { db, log } = services;
  const scanned = await scanBlueprintFiles(services.config);
  const summary: DiscoverySummary = { files: 0, created: [], applied: [], failed: [], removed: [] };
  const instances = await db.select().from(blueprintInstances);
  const byPath = new Map(instances.filter((i) => i.path).map((i) => [i.path, i]));
  const candidates: Candidate[] = [];
  for (const scan of scanned) {
    let instance = byPath.get(scan.path);
    if (instance && settled(instance, scan, options)) {
      summary.files += 1;
      continue;
    }
    const file = blueprintFileOf(scan, log);
    if (!file) continue;
    summary.files += 1;
    if (file.meta?.labels[LABEL_INSTANTIATE]?.toLowerCase() === 'false') continue;
    if (!instance) {
      [instance] = await db.insert(blueprintInstances).values({ name: file.meta?.name ?? file.path, path: file.path }).returning();
      log.info({ blueprint: instance.name, path: file.path }, 'created blueprint instance from file');
      summary.created.push(file.path);
    }
    candidates.push({ file, text: scan.text, instance, needs: [] });
  }

  const present = new Set(scanned.map((f) => f.path));
  for (const instance of instances) {
    if (!instance.path || instance.path.startsWith('oci://') || present.has(instance.path)) continue;
    if (existsSync(join(blueprintsRoot(services.config), instance.path))) continue;
    await db.delete(blueprintInstances).where(eq(blueprintInstances.instanceUuid, instance.instanceUuid));
    log.info({ blueprint: instance.name, path: instance.path }, 'removed blueprint instance, its file is gone');
    summary.removed.push(instance.path);
  }

  if (options.apply === false) return summary;
  for (const candidate of candidates) candidate.needs = dependenciesOf(candidate.text);
  for (const { file, instance } of dependencyOrder(candidates)) {
    // Re-read: a meta entry of an earlier blueprint may have applied this one already.
    const [current] = await db.select().from(blueprintInstances).where(eq(blueprintInstances.instanceUuid, instance.instanceUuid));
    if (!current || !current.enabled || current.lastAppliedHash === file.hash) continue;
    if (!options.retryFailed && current.failedFingerprint === failureFingerprint(file.hash)) continue;
    log.info({ blueprint: current.name, path: file.path }, 'applying blueprint, its file changed');
    const started = new Date();
    const outcome = await applyInstance(services, current);
    await recordApply(services, outcome, started);
    (outcome.instance.status === 'successful' ? summary.applied : summary.failed).push(file.path);
  }
  return summary;
}
