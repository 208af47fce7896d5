import { defineStageModel } from '../../flows/models.js';
import { stageTypeViewSet } from '../../flows/api.js';
import { deny, type StageType } from '../../flows/stage.js';
import { denyStages } from './table.js';

type DenyStageRow = typeof denyStages.$inferSelect;

const MODEL = 'authentik_stages_deny.denystage';

export const denyStageModel = defineStageModel<DenyStageRow>({
  modelName: MODEL,
  verboseName: 'Deny Stage',
  verboseNamePlural: 'Deny Stages',
  table: denyStages,
  link: denyStages.stagePtrId,
  requestSchema: 'DenyStageRequest',
  fields: { deny_message: { column: denyStages.denyMessage } },
  serialize: (rows) => rows.map((row) => ({ deny_message: row.denyMessage })),
});

/** Ends the flow with access denied, showing its message if it has one. */
export const denyStage: StageType<DenyStageRow> = {
  modelName: MODEL,
  formComponent: 'ak-stage-deny-form',
  verboseName: 'Deny Stage',
  verboseNamePlural: 'Deny Stages',
  description: 'Cancels the current flow.',
  model: denyStageModel,
  viewSet: stageTypeViewSet(denyStageModel, '/stages/deny/', { deny_message: denyStages.denyMessage }),
  view: {
    async challenge(ctx) {
      return deny(ctx.stage.denyMessage || undefined);
    },
  },
};
