import { asc, eq, inArray } from 'drizzle-orm';
import { ErrorCollector } from '../../api/errors.js';
import { doesNotExist, firstMissing } from '../../api/references.js';
import type { Db } from '../../db/database.js';
import { defineStageModel } from '../../flows/models.js';
import { stages } from '../../flows/table.js';
import { isDurationString } from '../../core/tenants/model.js';
import { authenticatorValidateStages, validateConfigurationStages } from './table.js';

export type ValidateStageRow = typeof authenticatorValidateStages.$inferSelect;

export const VALIDATE_STAGE_MODEL = 'authentik_stages_authenticator_validate.authenticatorvalidatestage';

/** The configuration stages of each validate stage, in the order they were linked. */
async function configurationStageIds(db: Db, ids: string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  if (!ids.length) return out;
  const rows = await db.select().from(validateConfigurationStages)
    .where(inArray(validateConfigurationStages.validateStageId, ids)).orderBy(asc(validateConfigurationStages.id));
  for (const row of rows) (out.get(row.validateStageId) ?? out.set(row.validateStageId, []).get(row.validateStageId)!).push(row.stageId);
  return out;
}

/** The stage rows a validate stage offers to set up a device with, ordered by name as authentik lists them. */
export async function configurationStagesOf(db: Db, validateStageId: string) {
  return db.select({ stageUuid: stages.stageUuid, name: stages.name, model: stages.model }).from(validateConfigurationStages)
    .innerJoin(stages, eq(stages.stageUuid, validateConfigurationStages.stageId))
    .where(eq(validateConfigurationStages.validateStageId, validateStageId)).orderBy(asc(stages.name));
}

export const validateStageModel = defineStageModel<ValidateStageRow>({
  modelName: VALIDATE_STAGE_MODEL,
  verboseName: 'Authenticator Validation Stage',
  verboseNamePlural: 'Authenticator Validation Stages',
  table: authenticatorValidateStages,
  link: authenticatorValidateStages.stagePtrId,
  requestSchema: 'AuthenticatorValidateStageRequest',
  fields: {
    not_configured_action: { column: authenticatorValidateStages.notConfiguredAction },
    device_classes: { column: authenticatorValidateStages.deviceClasses },
    last_auth_threshold: { column: authenticatorValidateStages.lastAuthThreshold },
    webauthn_user_verification: { column: authenticatorValidateStages.webauthnUserVerification },
  },
  relations: {
    async configuration_stages(tx, pk, value) {
      const stageId = String(pk);
      await tx.delete(validateConfigurationStages).where(eq(validateConfigurationStages.validateStageId, stageId));
      const ids = [...new Set((value as string[] | null) ?? [])];
      if (ids.length) await tx.insert(validateConfigurationStages).values(ids.map((id) => ({ validateStageId: stageId, stageId: id })));
    },
  },
  async serialize(rows, ctx) {
    const linked = await configurationStageIds(ctx.services.db, rows.map((row) => row.stageUuid));
    return rows.map((row) => ({
      not_configured_action: row.notConfiguredAction,
      device_classes: row.deviceClasses,
      configuration_stages: linked.get(row.stageUuid) ?? [],
      last_auth_threshold: row.lastAuthThreshold,
      webauthn_user_verification: row.webauthnUserVerification,
    }));
  },
  async validate(data, ctx) {
    const errors = new ErrorCollector();
    const threshold = data.last_auth_threshold;
    if (typeof threshold === 'string' && !isDurationString(threshold)) {
      errors.add('last_auth_threshold', `${threshold} is not in the correct format of 'hours=3;minutes=1'.`);
    }
    // authentik's check reads the request only: a partial update setting `configure` must name the stages too.
    const configuration = data.configuration_stages;
    if (data.not_configured_action === 'configure' && (!Array.isArray(configuration) || !configuration.length)) {
      errors.add('not_configured_action', 'When "Not configured action" is set to "Configure", you must set a configuration stage.');
    }
    if (Array.isArray(configuration)) {
      const missing = await firstMissing(ctx.services.db, stages.stageUuid, configuration as string[]);
      if (missing) errors.add('configuration_stages', doesNotExist(missing));
    }
    errors.throwIfAny();
  },
});
