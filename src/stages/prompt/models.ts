import { asc, eq, inArray } from 'drizzle-orm';
import type { ModelContext } from '../../api/context.js';
import type { Json, ModelDefinition } from '../../api/model.js';
import { ValidationError } from '../../api/errors.js';
import { doesNotExist, firstMissing } from '../../api/references.js';
import type { PgColumn } from 'drizzle-orm/pg-core';
import type { Db } from '../../db/database.js';
import { defineStageModel, stageModel } from '../../flows/models.js';
import { stages } from '../../flows/table.js';
import { policies } from '../../policies/table.js';
import type { PromptRow } from './fields.js';
import { prompts, promptStageFields, promptStages, promptStageValidationPolicies } from './table.js';

export type PromptStageRow = typeof promptStages.$inferSelect;

const PROMPT_STAGE_MODEL = 'authentik_stages_prompt.promptstage';

/** Rows of a link table grouped by the prompt stage they belong to, in the order they were linked. */
async function linked(db: Db, stageIds: string[]): Promise<{ fields: Map<string, string[]>; policies: Map<string, string[]> }> {
  const fields = new Map<string, string[]>();
  const policyMap = new Map<string, string[]>();
  if (!stageIds.length) return { fields, policies: policyMap };
  const [fieldRows, policyRows] = await Promise.all([
    db.select().from(promptStageFields).where(inArray(promptStageFields.promptStageId, stageIds)),
    db.select().from(promptStageValidationPolicies).where(inArray(promptStageValidationPolicies.promptStageId, stageIds)),
  ]);
  for (const row of fieldRows) (fields.get(row.promptStageId) ?? fields.set(row.promptStageId, []).get(row.promptStageId)!).push(row.promptId);
  for (const row of policyRows) (policyMap.get(row.promptStageId) ?? policyMap.set(row.promptStageId, []).get(row.promptStageId)!).push(row.policyId);
  return { fields, policies: policyMap };
}

/** DRF's PrimaryKeyRelatedField(many=True): every id must name an existing row. */
async function checkExisting(db: Db, field: string, column: PgColumn, ids: unknown): Promise<void> {
  const missing = Array.isArray(ids) ? await firstMissing(db, column, ids as string[]) : undefined;
  if (missing) throw ValidationError.field(field, doesNotExist(missing));
}

function linkWriter(table: typeof promptStageFields | typeof promptStageValidationPolicies, column: 'promptId' | 'policyId') {
  return async (tx: Db, pk: unknown, value: unknown) => {
    const stageId = String(pk);
    await tx.delete(table).where(eq(table.promptStageId, stageId));
    const ids = [...new Set((value as string[] | null) ?? [])];
    if (ids.length) await tx.insert(table).values(ids.map((id) => ({ promptStageId: stageId, [column]: id }) as never));
  };
}

export const promptStageModel = defineStageModel<PromptStageRow>({
  modelName: PROMPT_STAGE_MODEL,
  verboseName: 'Prompt Stage',
  verboseNamePlural: 'Prompt Stages',
  table: promptStages,
  link: promptStages.stagePtrId,
  requestSchema: 'PromptStageRequest',
  fields: {},
  relations: {
    fields: linkWriter(promptStageFields, 'promptId'),
    validation_policies: linkWriter(promptStageValidationPolicies, 'policyId'),
  },
  async serialize(rows, ctx) {
    const links = await linked(ctx.services.db, rows.map((r) => r.stageUuid));
    return rows.map((row) => ({
      fields: links.fields.get(row.stageUuid) ?? [],
      validation_policies: links.policies.get(row.stageUuid) ?? [],
    }));
  },
  async validate(data, ctx) {
    const db = ctx.services.db;
    await checkExisting(db, 'fields', prompts.promptUuid, data.fields);
    await checkExisting(db, 'validation_policies', policies.policyUuid, data.validation_policies);
  },
});

/** The prompt stages each prompt is a field of, rendered as authentik's `StageSerializer`. */
async function promptStageSets(rows: PromptRow[], ctx: ModelContext): Promise<Map<string, Json[]>> {
  const out = new Map<string, Json[]>();
  const ids = rows.map((r) => r.promptUuid);
  if (!ids.length) return out;
  const links = await ctx.services.db.select({ prompt: promptStageFields.promptId, stage: stages }).from(promptStageFields)
    .innerJoin(stages, eq(stages.stageUuid, promptStageFields.promptStageId))
    .where(inArray(promptStageFields.promptId, ids)).orderBy(asc(stages.name));
  const rendered = await stageModel.serialize([...new Map(links.map((l) => [l.stage.stageUuid, l.stage])).values()], ctx);
  const byId = new Map(rendered.map((s) => [s.pk, s]));
  for (const link of links) (out.get(link.prompt) ?? out.set(link.prompt, []).get(link.prompt)!).push(byId.get(link.stage.stageUuid)!);
  return out;
}

export const promptModel: ModelDefinition<PromptRow> = {
  name: 'authentik_stages_prompt.prompt',
  verboseName: 'Prompt',
  verboseNamePlural: 'Prompts',
  table: prompts,
  pk: prompts.promptUuid,
  requestSchema: 'PromptRequest',
  fields: {
    name: { column: prompts.name },
    field_key: { column: prompts.fieldKey },
    label: { column: prompts.label },
    type: { column: prompts.type },
    required: { column: prompts.required },
    placeholder: { column: prompts.placeholder },
    initial_value: { column: prompts.initialValue },
    order: { column: prompts.order },
    sub_text: { column: prompts.subText },
    placeholder_expression: { column: prompts.placeholderExpression },
    initial_value_expression: { column: prompts.initialValueExpression },
  },
  displayName: (row) => `Prompt field '${row.fieldKey}' type ${row.type}`,
  /**
   * Blueprints written for later authentik versions name the type `prompt_type` (authentik renamed the field):
   * both are read as `type`.
   */
  normalizeRequest(body) {
    if (!('prompt_type' in body)) return body;
    const { prompt_type: promptType, ...rest } = body;
    return 'type' in rest ? rest : { ...rest, type: promptType };
  },
  async serialize(rows, ctx) {
    const sets = await promptStageSets(rows, ctx);
    return rows.map((row) => ({
      pk: row.promptUuid,
      name: row.name,
      field_key: row.fieldKey,
      label: row.label,
      type: row.type,
      required: row.required,
      placeholder: row.placeholder,
      initial_value: row.initialValue,
      order: row.order,
      promptstage_set: sets.get(row.promptUuid) ?? [],
      sub_text: row.subText,
      placeholder_expression: row.placeholderExpression,
      initial_value_expression: row.initialValueExpression,
    }));
  },
};
