import type { Services } from '../api/context.js';
import { describeProblem } from './errors.js';
import { BlueprintInvalidError } from './errors.js';
import { readBlueprintFile } from './files.js';
import { applyBlueprint, type EntryResult } from './importer.js';
import { metaApplier } from './instances.js';
import { loadBlueprint } from './loader.js';

export interface Output {
  log(line: string): void;
  error(line: string): void;
}

function describeEntry(entry: EntryResult, total: number): string {
  const what = [entry.model, entry.id ? `(id ${entry.id})` : '', entry.pk !== undefined ? `pk ${String(entry.pk)}` : '', entry.detail ? `: ${entry.detail}` : '']
    .filter(Boolean).join(' ');
  return `  [${entry.index + 1}/${total}] ${entry.action.padEnd(9)} ${what}`;
}

/**
 * `ak apply_blueprint <path>…`: applies each file (relative to the blueprints folder, or absolute) in its own
 * transaction, printing each entry and a summary. Returns false when any file failed (it then changed nothing).
 */
export async function applyBlueprintFiles(services: Services, paths: string[], out: Output): Promise<boolean> {
  let allOk = true;
  for (const path of paths) {
    let blueprint;
    try {
      blueprint = loadBlueprint(await readBlueprintFile(services.config, path));
    } catch (err) {
      allOk = false;
      out.error(`${path}: cannot load blueprint`);
      const problems = err instanceof BlueprintInvalidError ? err.problems.map(describeProblem) : [(err as Error).message];
      for (const problem of problems) out.error(`  - ${problem}`);
      continue;
    }
    const total = blueprint.entries.length;
    out.log(`${path}: ${blueprint.metadata?.name ?? 'blueprint'}, ${total} entries`);
    const result = await applyBlueprint(services, blueprint, { meta: metaApplier(services, []), onEntry: (entry) => out.log(describeEntry(entry, total)) });
    for (const warning of result.warnings) out.log(`  warning: ${warning}`);
    if (!result.ok) {
      allOk = false;
      out.error(`${path}: failed with ${result.problems.length} problem(s); nothing was changed`);
      for (const problem of result.problems) out.error(`  - ${describeProblem(problem)}`);
      continue;
    }
    const counts = new Map<string, number>();
    for (const entry of result.entries) counts.set(entry.action, (counts.get(entry.action) ?? 0) + 1);
    out.log(`${path}: applied (${[...counts].map(([action, n]) => `${n} ${action}`).join(', ') || 'no entries'})`);
  }
  return allOk;
}
