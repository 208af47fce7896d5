import { randomBytes } from 'node:crypto';
import { eq, inArray } from 'drizzle-orm';
import type { FilterFn, Json } from '../../api/model.js';
import type { ApiContext } from '../../api/context.js';
import type { ViewSet } from '../../api/viewset.js';
import { ValidationError } from '../../api/errors.js';
import { validateRequest } from '../../api/contract/validation.js';
import { stageTypeViewSet } from '../../flows/api.js';
import { stages } from '../../flows/table.js';
import type { StageRow } from '../../flows/stage.js';
import { users } from '../../core/table.js';
import { policyHttpRequest } from '../../policies/http.js';
import { exactFilters } from '../../policies/viewsets.js';
import { challengeField, type PromptRow } from './fields.js';
import { PromptExpressionError } from './expressions.js';
import { promptModel, promptStageModel, type PromptStageRow } from './models.js';
import { prompts, promptStageFields, promptStageValidationPolicies } from './table.js';

const UUID_RE = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

/** django-filter's ModelMultipleChoiceFilter over a many-to-many field: stages linked to any of the ids. */
function linkedTo(field: string, link: typeof promptStageFields | typeof promptStageValidationPolicies): FilterFn {
  const target = 'promptId' in link ? link.promptId : link.policyId;
  return (_value, ctx, all) => {
    const invalid = all.find((id) => !UUID_RE.test(id));
    if (invalid) throw ValidationError.field(field, `Select a valid choice. ${invalid} is not one of the available choices.`);
    return inArray(stages.stageUuid, ctx.services.db.select({ id: link.promptStageId }).from(link).where(inArray(target, all)));
  };
}

export const promptStageViewSet: ViewSet<PromptStageRow & StageRow> = {
  ...stageTypeViewSet(promptStageModel, '/stages/prompt/stages/'),
  filters: {
    ...exactFilters({ name: stages.name, stage_uuid: stages.stageUuid }),
    fields: linkedTo('fields', promptStageFields),
    validation_policies: linkedTo('validation_policies', promptStageValidationPolicies),
  },
};

/** A prompt as the request describes it, never saved (authentik's preview builds an unsaved `Prompt`). */
function unsavedPrompt(data: Json): PromptRow {
  return {
    promptUuid: '00000000-0000-0000-0000-000000000000',
    name: String(data.name),
    fieldKey: String(data.field_key),
    label: String(data.label),
    type: String(data.type),
    required: data.required === undefined ? true : Boolean(data.required),
    placeholder: String(data.placeholder ?? ''),
    initialValue: String(data.initial_value ?? ''),
    subText: String(data.sub_text ?? ''),
    order: Number(data.order ?? 0),
    placeholderExpression: Boolean(data.placeholder_expression),
    initialValueExpression: Boolean(data.initial_value_expression),
  };
}

/**
 * authentik's `preview`: the prompt as a flow would show it to the caller, expressions evaluated as a dry run
 * (their error is the answer, as a 400). The name is replaced and stages dropped, so an existing prompt previews.
 */
async function preview(ctx: ApiContext, body: Json) {
  const { promptstage_set: _stages, ...rest } = body;
  const data = validateRequest('PromptRequest', promptModel.normalizeRequest!({ ...rest, name: randomBytes(20).toString('hex') }));
  const [user] = await ctx.services.db.select().from(users).where(eq(users.id, ctx.principal.id)).limit(1);
  try {
    const field = await challengeField(unsavedPrompt(data), {
      services: ctx.services, log: ctx.services.log, user: user ?? null, http: policyHttpRequest(ctx.request), promptContext: {}, dryRun: true,
    });
    return { type: 'native', component: 'ak-stage-prompt', fields: [field] };
  } catch (err) {
    if (err instanceof PromptExpressionError) return { status: 400, body: { non_field_errors: [err.display] } };
    throw err;
  }
}

export const promptViewSet: ViewSet<PromptRow> = {
  model: promptModel,
  path: '/stages/prompt/prompts/',
  lookupParam: 'prompt_uuid',
  lookupColumn: prompts.promptUuid,
  lookupType: 'uuid',
  filters: exactFilters({ field_key: prompts.fieldKey, label: prompts.label, name: prompts.name, placeholder: prompts.placeholder, type: prompts.type }),
  search: [prompts.fieldKey, prompts.name, prompts.label, prompts.type, prompts.placeholder],
  ordering: {
    field_key: prompts.fieldKey, name: prompts.name, label: prompts.label, type: prompts.type, required: prompts.required, placeholder: prompts.placeholder,
    initial_value: prompts.initialValue, order: prompts.order, sub_text: prompts.subText,
  },
  defaultOrdering: ['field_key'],
  actions: [{ method: 'POST', path: 'preview', detail: false, handler: (ctx, _row, body) => preview(ctx, body) }],
};
