import { eq } from 'drizzle-orm';
import { defineStageModel } from '../../flows/models.js';
import { stageTypeViewSet } from '../../flows/api.js';
import { stages } from '../../flows/table.js';
import { deny, next, PLAN_CONTEXT, type StageContext, type StageResult, type StageType } from '../../flows/stage.js';
import { users } from '../../core/table.js';
import { recordEvent } from '../../events/record.js';
import { userDeleteStages } from './table.js';

type UserDeleteStageRow = typeof userDeleteStages.$inferSelect;

const MODEL = 'authentik_stages_user_delete.userdeletestage';

export const userDeleteStageModel = defineStageModel<UserDeleteStageRow>({
  modelName: MODEL,
  verboseName: 'User Delete Stage',
  verboseNamePlural: 'User Delete Stages',
  table: userDeleteStages,
  link: userDeleteStages.stagePtrId,
  requestSchema: 'UserDeleteStageRequest',
  fields: {},
  serialize: (rows) => rows.map(() => ({})),
});

/** authentik's UserDeleteStageView: ends the session and deletes the pending user (the request's, when none). */
async function remove(ctx: StageContext<UserDeleteStageRow>): Promise<StageResult> {
  const user = await ctx.pendingUser();
  if (!user || !user.id) {
    ctx.log.debug('No Pending User.');
    return deny('No Pending User.');
  }
  await ctx.session.logout();
  await ctx.services.db.delete(users).where(eq(users.id, user.id));
  await recordEvent(ctx.services, {
    action: 'model_deleted', app: 'authentik.events.middleware', user: ctx.user, request: { ...ctx.http },
    context: { model: { app: 'authentik_core', model_name: 'user', pk: user.id, name: user.username } },
  });
  ctx.log.debug({ user: user.username }, 'Deleted user');
  delete ctx.context[PLAN_CONTEXT.PENDING_USER];
  return next();
}

/** Deletes the pending user: the end of an unenrollment flow. */
export const userDeleteStage: StageType<UserDeleteStageRow> = {
  modelName: MODEL,
  formComponent: 'ak-stage-user-delete-form',
  verboseName: 'User Delete Stage',
  verboseNamePlural: 'User Delete Stages',
  description: 'Deletes the currently pending user without confirmation. Use with caution.',
  model: userDeleteStageModel,
  viewSet: stageTypeViewSet(userDeleteStageModel, '/stages/user_delete/', { stage_uuid: stages.stageUuid }),
  view: { challenge: remove },
};
