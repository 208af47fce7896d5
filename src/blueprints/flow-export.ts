import { asc, eq, inArray } from 'drizzle-orm';
import type { ModelContext } from '../api/context.js';
import type { Json, ModelDefinition } from '../api/model.js';
import { selectRows } from '../api/inheritance.js';
import { flows, flowStageBindings, stages } from '../flows/table.js';
import { flowModel, flowStageBindingModel } from '../flows/models.js';
import type { FlowRow } from '../flows/stage.js';
import { policies, policyBindings } from '../policies/table.js';
import { entryFromRow, LABEL_GENERATED, type ExportedBlueprint, type ExportedEntry } from './exporter.js';
import { modelNamed } from './importer.js';
import { KeyOf } from './tags.js';

const PROMPT_STAGE = 'authentik_stages_prompt.promptstage';
const PROMPT = 'authentik_stages_prompt.prompt';

/** A row of a base table (stages, policies) read through its own type's model, when authentik-ts has it. */
async function concrete(ctx: ModelContext, modelName: string, pk: string): Promise<{ model: ModelDefinition<Json>; row: Json } | undefined> {
  const model = modelNamed(modelName);
  if (!model) return undefined;
  const [row] = (await selectRows(ctx.services.db, model).where(eq(model.pk, pk))) as Json[];
  return row ? { model, row } : undefined;
}

function uuids(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/**
 * authentik's `FlowExporter`: the flow, the prompts and policies its stages and bindings use, its stages, its
 * stage bindings and the policy bindings on the flow and on each stage binding, as plain entries keyed by
 * primary key. One difference: a policy binding's `target` is a `!KeyOf` of the flow's or the stage binding's
 * entry, not the raw `pbm_uuid`, so that the file re-imports after the flow was deleted (a re-created flow gets
 * its primary key back from `identifiers.pk`, but never its policy binding model's key).
 */
export async function exportFlow(ctx: ModelContext, flow: FlowRow): Promise<ExportedBlueprint> {
  const db = ctx.services.db;
  const bindings = await db.select().from(flowStageBindings).where(eq(flowStageBindings.targetId, flow.flowUuid))
    .orderBy(asc(flowStageBindings.order), asc(flowStageBindings.fsbUuid));
  const targets = new Map<string, string>([[flow.pbmUuid, 'flow']]);
  for (const binding of bindings) targets.set(binding.pbmUuid, `binding-${binding.fsbUuid}`);
  const policyBindingRows = await db.select().from(policyBindings).where(inArray(policyBindings.targetId, [...targets.keys()]))
    .orderBy(asc(policyBindings.order), asc(policyBindings.policyBindingUuid));

  const stageIds = [...new Set(bindings.map((b) => b.stageId))];
  const stageRows = stageIds.length ? await db.select().from(stages).where(inArray(stages.stageUuid, stageIds)).orderBy(asc(stages.name)) : [];
  const stageEntries: ExportedEntry[] = [];
  const promptIds: string[] = [];
  const policyIds = policyBindingRows.flatMap((b) => (b.policyId ? [b.policyId] : []));
  for (const stage of stageRows) {
    const found = await concrete(ctx, stage.model, stage.stageUuid);
    if (!found) throw new Error(`stage "${stage.name}" is a ${stage.model}, which authentik-ts cannot export`);
    const entry = await entryFromRow(ctx, found.model, found.row, 'name');
    stageEntries.push(entry);
    // A prompt stage refers to its prompts and validation policies directly, not through bindings.
    if (found.model.name === PROMPT_STAGE) {
      promptIds.push(...uuids(entry.attrs.fields));
      policyIds.push(...uuids(entry.attrs.validation_policies));
    }
  }

  const promptEntries: ExportedEntry[] = [];
  const promptModel = modelNamed(PROMPT);
  if (promptModel) {
    for (const id of [...new Set(promptIds)]) {
      const [row] = (await selectRows(db, promptModel).where(eq(promptModel.pk, id))) as Json[];
      if (row) promptEntries.push(await entryFromRow(ctx, promptModel, row));
    }
  }

  const policyEntries: ExportedEntry[] = [];
  const uniquePolicies = [...new Set(policyIds)];
  const policyRows = uniquePolicies.length ? await db.select().from(policies).where(inArray(policies.policyUuid, uniquePolicies)).orderBy(asc(policies.name)) : [];
  for (const policy of policyRows) {
    const found = await concrete(ctx, policy.model, policy.policyUuid);
    if (!found) throw new Error(`policy "${policy.name}" is a ${policy.model}, which authentik-ts cannot export`);
    policyEntries.push(await entryFromRow(ctx, found.model, found.row));
  }

  const flowEntry = { ...(await entryFromRow(ctx, flowModel as unknown as ModelDefinition<Json>, flow as unknown as Json, 'slug')), id: 'flow' };
  const bindingEntries: ExportedEntry[] = [];
  for (const binding of bindings) {
    const entry = await entryFromRow(ctx, flowStageBindingModel as unknown as ModelDefinition<Json>, binding as unknown as Json, 'target', 'stage', 'order');
    bindingEntries.push(policyBindingRows.some((b) => b.targetId === binding.pbmUuid) ? { ...entry, id: targets.get(binding.pbmUuid) } : entry);
  }
  const policyBindingModel = modelNamed('authentik_policies.policybinding')!;
  const policyBindingEntries: ExportedEntry[] = [];
  for (const binding of policyBindingRows) {
    const entry = await entryFromRow(ctx, policyBindingModel, binding as unknown as Json, 'policy', 'target', 'order');
    entry.identifiers.target = new KeyOf(targets.get(binding.targetId)!);
    policyBindingEntries.push(entry);
  }

  return {
    version: 1,
    metadata: { name: `authentik Export - ${new Date().toISOString()}`, labels: { [LABEL_GENERATED]: 'true' } },
    entries: [flowEntry, ...promptEntries, ...policyEntries, ...stageEntries, ...bindingEntries, ...policyBindingEntries],
  };
}

/** The flow with this slug, or undefined. */
export async function flowBySlug(ctx: ModelContext, slug: string): Promise<FlowRow | undefined> {
  const [flow] = await ctx.services.db.select().from(flows).where(eq(flows.slug, slug)).limit(1);
  return flow;
}
