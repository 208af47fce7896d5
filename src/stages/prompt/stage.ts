import { and, asc, eq, ne } from 'drizzle-orm';
import type { Json } from '../../api/model.js';
import {
  next, PLAN_CONTEXT, type ErrorDetail, type ResponseErrors, type StageContext, type StageResult, type StageType,
} from '../../flows/stage.js';
import { users } from '../../core/table.js';
import { evaluatePolicyList } from '../../policies/engine.js';
import {
  challengeField, FIXED_VALUE_TYPES, responseField, SKIP, validateField, type PromptRow, type PromptScope,
} from './fields.js';
import { promptStageModel, type PromptStageRow } from './models.js';
import { promptStageViewSet } from './api.js';
import { promptStageValidationPolicies, prompts, promptStageFields } from './table.js';

/** The stage's prompts, by `order` (authentik's `fields.all().order_by("order")`). */
async function fieldsOf(ctx: StageContext<PromptStageRow>): Promise<PromptRow[]> {
  const rows = await ctx.services.db.select({ prompt: prompts }).from(promptStageFields)
    .innerJoin(prompts, eq(prompts.promptUuid, promptStageFields.promptId))
    .where(eq(promptStageFields.promptStageId, ctx.stage.stageUuid)).orderBy(asc(prompts.order), asc(prompts.name));
  return rows.map((r) => r.prompt);
}

function promptData(ctx: StageContext): Record<string, unknown> {
  const data = ctx.context[PLAN_CONTEXT.PROMPT];
  return data && typeof data === 'object' && !Array.isArray(data) ? data as Record<string, unknown> : {};
}

async function scopeOf(ctx: StageContext<PromptStageRow>): Promise<PromptScope> {
  const user = await ctx.pendingUser();
  return { services: ctx.services, log: ctx.log, user: user && user.id ? user : null, http: ctx.http, promptContext: promptData(ctx) };
}

async function challenge(ctx: StageContext<PromptStageRow>) {
  const scope = await scopeOf(ctx);
  const fields = [];
  for (const prompt of await fieldsOf(ctx)) fields.push(await challengeField(prompt, scope));
  return { component: 'ak-stage-prompt', fields };
}

/** authentik's username field validator: another user may not have it (the pending user keeps theirs). */
async function usernameTaken(ctx: StageContext<PromptStageRow>, username: string, scope: PromptScope): Promise<boolean> {
  const pending = scope.user;
  const conditions = [eq(users.username, username)];
  if (pending) conditions.push(ne(users.username, pending.username));
  const [clash] = await ctx.services.db.select({ id: users.id }).from(users).where(and(...conditions)).limit(1);
  return Boolean(clash);
}

/**
 * authentik's PromptChallengeResponse: every field is validated as its DRF field would (types, required,
 * defaults from the initial value), usernames must be free; then the fixed fields get their values, two
 * password fields must match, and the validation policies run with the data as `prompt_data`.
 */
async function respond(ctx: StageContext<PromptStageRow>, response: Json): Promise<StageResult> {
  const scope = await scopeOf(ctx);
  const fields = await fieldsOf(ctx);
  const errors: ResponseErrors = {};
  const attrs: Record<string, unknown> = { component: typeof response.component === 'string' ? response.component : 'ak-stage-prompt' };
  const defaults = new Map<string, unknown>();
  for (const prompt of fields) {
    const field = await responseField(prompt, scope);
    if ('default' in field) defaults.set(prompt.fieldKey, field.default);
    const outcome = validateField(field, Object.hasOwn(response, prompt.fieldKey), response[prompt.fieldKey]);
    if (outcome === SKIP) continue;
    if ('error' in outcome) {
      errors[prompt.fieldKey] = [outcome.error];
      continue;
    }
    if (prompt.type === 'username' && await usernameTaken(ctx, String(outcome.value), scope)) {
      errors[prompt.fieldKey] = [{ string: 'Username is already taken.', code: 'invalid' }];
      continue;
    }
    attrs[prompt.fieldKey] = outcome.value;
  }
  if (Object.keys(errors).length) return { kind: 'invalid', errors };

  for (const prompt of fields) {
    if (FIXED_VALUE_TYPES.has(prompt.type)) attrs[prompt.fieldKey] = defaults.has(prompt.fieldKey) ? defaults.get(prompt.fieldKey) : '';
  }
  const passwords = fields.filter((f) => f.type === 'password');
  if (passwords.length === 2 && new Set(passwords.map((f) => JSON.stringify(response[f.fieldKey] ?? null))).size > 1) {
    return { kind: 'invalid', errors: { non_field_errors: [{ string: "Passwords don't match.", code: 'invalid' }] } };
  }
  const policyIds = (await ctx.services.db.select({ id: promptStageValidationPolicies.policyId }).from(promptStageValidationPolicies)
    .where(eq(promptStageValidationPolicies.promptStageId, ctx.stage.stageUuid))).map((r) => r.id);
  if (policyIds.length) {
    const result = await evaluatePolicyList(ctx.services, policyIds, {
      user: scope.user, httpRequest: ctx.http, context: { [PLAN_CONTEXT.PROMPT]: attrs },
    }, 'all');
    if (!result.passing) {
      const messages: ErrorDetail[] = result.messages.map((message) => ({ string: message, code: 'invalid' }));
      return { kind: 'invalid', errors: { non_field_errors: messages } };
    }
  }
  ctx.context[PLAN_CONTEXT.PROMPT] = { ...promptData(ctx), ...attrs };
  return next();
}

/** Asks the user for the stage's prompts and keeps the answers in the plan's `prompt_data`. */
export const promptStage: StageType<PromptStageRow> = {
  modelName: 'authentik_stages_prompt.promptstage',
  formComponent: 'ak-stage-prompt-form',
  verboseName: 'Prompt Stage',
  verboseNamePlural: 'Prompt Stages',
  description: 'Define arbitrary prompts for the user.',
  model: promptStageModel,
  viewSet: promptStageViewSet,
  view: { responseSchema: 'PromptChallengeResponseRequest', challenge, respond },
};
