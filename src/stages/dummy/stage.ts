import { defineStageModel } from '../../flows/models.js';
import { stageTypeViewSet } from '../../flows/api.js';
import { next, type StageType } from '../../flows/stage.js';
import { dummyStages } from './table.js';

type DummyStageRow = typeof dummyStages.$inferSelect;

const MODEL = 'authentik_stages_dummy.dummystage';

export const dummyStageModel = defineStageModel<DummyStageRow>({
  modelName: MODEL,
  verboseName: 'Dummy Stage',
  verboseNamePlural: 'Dummy Stages',
  table: dummyStages,
  link: dummyStages.stagePtrId,
  requestSchema: 'DummyStageRequest',
  fields: { throw_error: { column: dummyStages.throwError } },
  serialize: (rows) => rows.map((row) => ({ throw_error: row.throwError })),
});

/** Raised by a dummy stage set to `throw_error`, to exercise the executor's error handling. */
export class DummyStageError extends Error {}

/** Shows a challenge that any response passes; with `throw_error` it fails instead, for testing. */
export const dummyStage: StageType<DummyStageRow> = {
  modelName: MODEL,
  formComponent: 'ak-stage-dummy-form',
  verboseName: 'Dummy Stage',
  verboseNamePlural: 'Dummy Stages',
  description: 'Used for debugging.',
  model: dummyStageModel,
  viewSet: stageTypeViewSet(dummyStageModel, '/stages/dummy/', { throw_error: dummyStages.throwError }),
  view: {
    responseSchema: 'DummyChallengeResponseRequest',
    async challenge(ctx) {
      if (ctx.stage.throwError) throw new DummyStageError('Test error');
      return { component: 'ak-stage-dummy', title: ctx.stage.name };
    },
    async respond(ctx) {
      if (ctx.stage.throwError) throw new DummyStageError('Test error');
      return next();
    },
  },
};
