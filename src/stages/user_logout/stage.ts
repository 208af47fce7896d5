import { defineStageModel } from '../../flows/models.js';
import { stageTypeViewSet } from '../../flows/api.js';
import { next, type StageType } from '../../flows/stage.js';
import { recordEvent } from '../../events/record.js';
import { userLogoutStages } from './table.js';

type UserLogoutStageRow = typeof userLogoutStages.$inferSelect;

const MODEL = 'authentik_stages_user_logout.userlogoutstage';

export const userLogoutStageModel = defineStageModel<UserLogoutStageRow>({
  modelName: MODEL,
  verboseName: 'User Logout Stage',
  verboseNamePlural: 'User Logout Stages',
  table: userLogoutStages,
  link: userLogoutStages.stagePtrId,
  requestSchema: 'UserLogoutStageRequest',
  fields: {},
  serialize: (rows) => rows.map(() => ({})),
});

/** Ends the request's login (the session and its authenticated session) and passes. */
export const userLogoutStage: StageType<UserLogoutStageRow> = {
  modelName: MODEL,
  formComponent: 'ak-stage-user-logout-form',
  verboseName: 'User Logout Stage',
  verboseNamePlural: 'User Logout Stages',
  description: 'Resets the users current session.',
  model: userLogoutStageModel,
  viewSet: stageTypeViewSet(userLogoutStageModel, '/stages/user_logout/'),
  view: {
    async challenge(ctx) {
      const user = ctx.user;
      await ctx.session.logout();
      if (user) {
        await recordEvent(ctx.services, { action: 'logout', app: 'authentik.stages.user_logout', user, request: ctx.http });
      }
      return next();
    },
  },
};
