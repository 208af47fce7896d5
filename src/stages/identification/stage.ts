import { eq, inArray, or, sql, type SQL } from 'drizzle-orm';
import type { Json } from '../../api/model.js';
import { ValidationError } from '../../api/errors.js';
import type { Db } from '../../db/database.js';
import { defineStageModel } from '../../flows/models.js';
import { stageTypeViewSet } from '../../flows/api.js';
import { flows, stages } from '../../flows/table.js';
import { invalid, next, PLAN_CONTEXT, type StageContext, type StageResult, type StageType } from '../../flows/stage.js';
import { users } from '../../core/table.js';
import { identificationFailed } from '../../policies/reputation/scores.js';
import { passwordStages } from '../password/table.js';
import { authenticate, enumerationDelay } from '../password/backends.js';
import { identificationStages, identificationStageSources } from './table.js';

export type IdentificationStageRow = typeof identificationStages.$inferSelect;

const MODEL = 'authentik_stages_identification.identificationstage';

async function sourcesOf(db: Db, ids: string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  if (!ids.length) return out;
  const rows = await db.select().from(identificationStageSources).where(inArray(identificationStageSources.identificationStageId, ids));
  for (const row of rows) (out.get(row.identificationStageId) ?? out.set(row.identificationStageId, []).get(row.identificationStageId)!).push(row.sourceId);
  return out;
}

async function setSources(tx: Db, pk: unknown, value: unknown): Promise<void> {
  await tx.delete(identificationStageSources).where(eq(identificationStageSources.identificationStageId, String(pk)));
  const ids = [...new Set((value as string[] | null) ?? [])];
  if (ids.length) await tx.insert(identificationStageSources).values(ids.map((sourceId) => ({ identificationStageId: String(pk), sourceId })));
}

export const identificationStageModel = defineStageModel<IdentificationStageRow>({
  modelName: MODEL,
  verboseName: 'Identification Stage',
  verboseNamePlural: 'Identification Stages',
  table: identificationStages,
  link: identificationStages.stagePtrId,
  requestSchema: 'IdentificationStageRequest',
  fields: {
    user_fields: { column: identificationStages.userFields },
    password_stage: { column: identificationStages.passwordStageId },
    case_insensitive_matching: { column: identificationStages.caseInsensitiveMatching },
    show_matched_user: { column: identificationStages.showMatchedUser },
    enrollment_flow: { column: identificationStages.enrollmentFlowId },
    recovery_flow: { column: identificationStages.recoveryFlowId },
    passwordless_flow: { column: identificationStages.passwordlessFlowId },
    show_source_labels: { column: identificationStages.showSourceLabels },
    pretend_user_exists: { column: identificationStages.pretendUserExists },
  },
  relations: { sources: setSources },
  async serialize(rows, ctx) {
    const sources = await sourcesOf(ctx.services.db, rows.map((r) => r.stageUuid));
    return rows.map((row) => ({
      user_fields: row.userFields,
      password_stage: row.passwordStageId,
      case_insensitive_matching: row.caseInsensitiveMatching,
      show_matched_user: row.showMatchedUser,
      enrollment_flow: row.enrollmentFlowId,
      recovery_flow: row.recoveryFlowId,
      passwordless_flow: row.passwordlessFlowId,
      sources: sources.get(row.stageUuid) ?? [],
      show_source_labels: row.showSourceLabels,
      pretend_user_exists: row.pretendUserExists,
    }));
  },
  async validate(data, ctx, existing) {
    const userFields = 'user_fields' in data ? (data.user_fields as string[] | null) ?? [] : existing?.userFields ?? [];
    const sources = 'sources' in data ? (data.sources as string[] | null) ?? [] : existing ? (await sourcesOf(ctx.services.db, [existing.stageUuid])).get(existing.stageUuid) ?? [] : [];
    if (userFields.length < 1 && sources.length < 1) {
      throw ValidationError.nonField('When no user fields are selected, at least one source must be selected');
    }
    if (typeof data.password_stage === 'string') {
      const [stage] = await ctx.services.db.select({ model: stages.model }).from(stages).where(eq(stages.stageUuid, data.password_stage)).limit(1);
      if (!stage || stage.model !== 'authentik_stages_password.passwordstage') {
        throw ValidationError.field('password_stage', `Invalid pk "${data.password_stage}" - object does not exist.`);
      }
    }
  },
});

const FIELD_COLUMNS: Record<string, (ci: boolean, value: string) => SQL> = {
  username: (ci, value) => (ci ? sql`lower(${users.username}) = lower(${value})` : eq(users.username, value)),
  email: (ci, value) => (ci ? sql`lower(${users.email}) = lower(${value})` : eq(users.email, value)),
  upn: (ci, value) => (ci ? sql`lower(${users.attributes}->>'upn') = lower(${value})` : sql`${users.attributes}->>'upn' = ${value}`),
};

/** authentik's `get_user`: the first user any of the stage's fields matches (case-insensitively when set). */
async function findUser(ctx: StageContext<IdentificationStageRow>, identifier: string) {
  const conditions = ctx.stage.userFields.map((field) => FIELD_COLUMNS[field]?.(ctx.stage.caseInsensitiveMatching, identifier)).filter((c): c is SQL => Boolean(c));
  if (!conditions.length) return undefined;
  const [user] = await ctx.services.db.select().from(users).where(or(...conditions)).orderBy(users.id).limit(1);
  return user;
}

async function flowSlug(ctx: StageContext, id: string | null): Promise<string | undefined> {
  if (!id) return undefined;
  const [flow] = await ctx.services.db.select({ slug: flows.slug }).from(flows).where(eq(flows.flowUuid, id)).limit(1);
  return flow?.slug;
}

async function challenge(ctx: StageContext<IdentificationStageRow>) {
  const stage = ctx.stage;
  const out: Json & { component: string } = {
    component: 'ak-stage-identification',
    primary_action: ctx.flow.designation === 'authentication' ? 'Log in' : 'Continue',
    user_fields: stage.userFields,
    password_fields: Boolean(stage.passwordStageId),
    show_source_labels: stage.showSourceLabels,
  };
  const application = ctx.context[PLAN_CONTEXT.APPLICATION];
  if (application && typeof application === 'object') out.application_pre = String((application as Json).name ?? '');
  for (const [field, id] of [['enroll_url', stage.enrollmentFlowId], ['recovery_url', stage.recoveryFlowId], ['passwordless_url', stage.passwordlessFlowId]] as const) {
    const slug = await flowSlug(ctx, id);
    if (slug) out[field] = ctx.flowInterfaceUrl(slug);
  }
  // Sources add their login buttons here once they exist.
  out.sources = [];
  return out;
}

async function respond(ctx: StageContext<IdentificationStageRow>, response: Json): Promise<StageResult> {
  const stage = ctx.stage;
  const identifier = String(response.uid_field);
  const user = await findUser(ctx, identifier);
  const failed = () => invalid({ non_field_errors: ['Failed to authenticate.'] });
  if (!user) {
    await enumerationDelay();
    ctx.log.info({ identifier, flow_slug: ctx.flow.slug }, 'invalid_login');
    await identificationFailed(ctx.services, ctx.http.ip, identifier);
    // Kept even on failure, so that a restart with context and policies see what was typed.
    ctx.context[PLAN_CONTEXT.PENDING_USER] = { pk: null, username: identifier, email: identifier };
    if (!stage.showMatchedUser) ctx.context[PLAN_CONTEXT.PENDING_USER_IDENTIFIER] = identifier;
    if (stage.pretendUserExists && !stage.passwordStageId) return next();
    return failed();
  }
  let backend: string | undefined;
  if (stage.passwordStageId) {
    const [passwordStage] = await ctx.services.db.select().from(passwordStages).where(eq(passwordStages.stagePtrId, stage.passwordStageId)).limit(1);
    const found = await authenticate({
      services: ctx.services, http: ctx.http, backends: passwordStage?.backends ?? [], username: user.username, user,
      password: typeof response.password === 'string' ? response.password : '', stage,
    });
    if (!found) return failed();
    backend = found.backend;
    ctx.context[PLAN_CONTEXT.AUTHENTICATION_BACKEND] = found.backend;
    ctx.context[PLAN_CONTEXT.METHOD] = found.method;
    ctx.context[PLAN_CONTEXT.METHOD_ARGS] = found.methodArgs;
  }
  ctx.setPendingUser(user, backend);
  if (stage.showMatchedUser) delete ctx.context[PLAN_CONTEXT.PENDING_USER_IDENTIFIER];
  else ctx.context[PLAN_CONTEXT.PENDING_USER_IDENTIFIER] = identifier;
  return next();
}

/** Asks who the user is (username, email or UPN), optionally with their password in the same form. */
export const identificationStage: StageType<IdentificationStageRow> = {
  modelName: MODEL,
  formComponent: 'ak-stage-identification-form',
  verboseName: 'Identification Stage',
  verboseNamePlural: 'Identification Stages',
  description: 'Allows the user to identify themselves for authentication.',
  model: identificationStageModel,
  viewSet: stageTypeViewSet(identificationStageModel, '/stages/identification/', {
    case_insensitive_matching: identificationStages.caseInsensitiveMatching,
    enrollment_flow: identificationStages.enrollmentFlowId,
    password_stage: identificationStages.passwordStageId,
    passwordless_flow: identificationStages.passwordlessFlowId,
    recovery_flow: identificationStages.recoveryFlowId,
    show_matched_user: identificationStages.showMatchedUser,
    show_source_labels: identificationStages.showSourceLabels,
  }),
  view: { responseSchema: 'IdentificationChallengeResponseRequest', challenge, respond },
};
