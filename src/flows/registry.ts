import { domains } from '../domains.js';
import type { StageType, StageView } from './stage.js';
import { stages } from './table.js';

let byModel: Map<string, StageType> | undefined;

/**
 * Every stage type the domains declare (`stages` in their manifests). Read lazily: `domains.ts` imports this
 * folder, so the list is only complete once every module has loaded.
 */
export function stageTypes(): StageType[] {
  if (!byModel) {
    byModel = new Map();
    for (const domain of domains) for (const type of domain.stages ?? []) byModel.set(type.modelName, type as StageType);
  }
  return [...byModel.values()];
}

export function stageTypeFor(modelName: string): StageType | undefined {
  stageTypes();
  return byModel!.get(modelName);
}

const inMemory = new Map<string, StageType>();

/**
 * A stage that exists only in code (authentik's `in_memory_stage`), such as the OAuth2 provider's fulfillment: a
 * provider appends a binding with its model name to a plan it made (`stageUuid` is then only an id for the plan);
 * it is never stored, listed or bound to a flow.
 */
export function registerInMemoryStage(modelName: string, verboseName: string, view: StageView): void {
  inMemory.set(modelName, {
    modelName, verboseName, verboseNamePlural: verboseName, formComponent: '', description: '', view, inMemory: true,
    model: { name: modelName, verboseName, verboseNamePlural: verboseName, table: stages, pk: stages.stageUuid, fields: {}, displayName: () => verboseName, serialize: async () => [] },
  });
}

export function inMemoryStageFor(modelName: string): StageType | undefined {
  return inMemory.get(modelName);
}
