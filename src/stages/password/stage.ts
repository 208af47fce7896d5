import { eq } from 'drizzle-orm';
import { defineStageModel } from '../../flows/models.js';
import { stageTypeViewSet } from '../../flows/api.js';
import { deny, invalid, next, PLAN_CONTEXT, type StageContext, type StageResult, type StageType } from '../../flows/stage.js';
import { ValidationError } from '../../api/errors.js';
import { flows } from '../../flows/table.js';
import { tenantForHost } from '../../core/tenants/current.js';
import { authenticate } from './backends.js';
import { passwordStages } from './table.js';

export type PasswordStageRow = typeof passwordStages.$inferSelect;

const MODEL = 'authentik_stages_password.passwordstage';
/** The session key authentik counts wrong passwords under. */
export const SESSION_INVALID_TRIES = 'user_invalid_tries';

export const passwordStageModel = defineStageModel<PasswordStageRow>({
  modelName: MODEL,
  verboseName: 'Password Stage',
  verboseNamePlural: 'Password Stages',
  table: passwordStages,
  link: passwordStages.stagePtrId,
  requestSchema: 'PasswordStageRequest',
  fields: {
    backends: { column: passwordStages.backends },
    configure_flow: { column: passwordStages.configureFlowId },
    failed_attempts_before_cancel: { column: passwordStages.failedAttemptsBeforeCancel },
  },
  serialize: (rows) => rows.map((row) => ({
    backends: row.backends,
    configure_flow: row.configureFlowId,
    failed_attempts_before_cancel: row.failedAttemptsBeforeCancel,
  })),
  validate(data) {
    if (Array.isArray(data.backends) && data.backends.length === 0) throw ValidationError.field('backends', 'This list may not be empty.');
  },
});

/** authentik's `challenge_invalid` counting: past `failed_attempts_before_cancel` wrong answers the flow ends. */
function countFailure(ctx: StageContext<PasswordStageRow>): boolean {
  const tries = Number(ctx.session.get(SESSION_INVALID_TRIES) ?? 0) + 1;
  if (tries > ctx.stage.failedAttemptsBeforeCancel) {
    ctx.session.delete(SESSION_INVALID_TRIES);
    return true;
  }
  ctx.session.set(SESSION_INVALID_TRIES, tries);
  return false;
}

/** Checks the pending user's password against the stage's backends. */
export const passwordStage: StageType<PasswordStageRow> = {
  modelName: MODEL,
  formComponent: 'ak-stage-password-form',
  verboseName: 'Password Stage',
  verboseNamePlural: 'Password Stages',
  description: 'Password-based Django authentication.',
  model: passwordStageModel,
  viewSet: stageTypeViewSet(passwordStageModel, '/stages/password/', {
    configure_flow: passwordStages.configureFlowId,
    failed_attempts_before_cancel: passwordStages.failedAttemptsBeforeCancel,
  }),
  userSettings: (row) => (row.configureFlowId ? { title: 'Password Stage', component: 'ak-user-settings-password' } : undefined),
  configureFlow: (row) => row.configureFlowId,
  view: {
    responseSchema: 'PasswordChallengeResponseRequest',
    async challenge(ctx) {
      const challenge: Record<string, unknown> & { component: string } = { component: 'ak-stage-password' };
      const tenant = await tenantForHost(ctx.services, ctx.http.host);
      if (tenant.flowRecovery) {
        const [recovery] = await ctx.services.db.select({ slug: flows.slug }).from(flows).where(eq(flows.flowUuid, tenant.flowRecovery)).limit(1);
        if (recovery) challenge.recovery_url = `/if/flow/${encodeURIComponent(recovery.slug)}/`;
      }
      return challenge;
    },
    async onInvalid(ctx) {
      return countFailure(ctx) ? deny() : undefined;
    },
    async respond(ctx, response): Promise<StageResult> {
      if (!ctx.context[PLAN_CONTEXT.PENDING_USER]) return deny();
      const pending = await ctx.pendingUser();
      const found = await authenticate({
        services: ctx.services, http: ctx.http, backends: ctx.stage.backends,
        username: pending?.username ?? '', user: pending ?? undefined, password: String(response.password), stage: ctx.stage,
      });
      if (!found) {
        if (countFailure(ctx)) return deny();
        return invalid({ password: ['Invalid password'] }, { retryOnly: true });
      }
      ctx.session.delete(SESSION_INVALID_TRIES);
      ctx.setPendingUser(found.user, found.backend);
      ctx.context[PLAN_CONTEXT.AUTHENTICATION_BACKEND] = found.backend;
      ctx.context[PLAN_CONTEXT.METHOD] = found.method;
      ctx.context[PLAN_CONTEXT.METHOD_ARGS] = found.methodArgs;
      return next();
    },
  },
};
