import { defineStageModel } from '../../flows/models.js';
import { stageTypeViewSet } from '../../flows/api.js';
import { stages } from '../../flows/table.js';
import { invalid, next, type StageContext, type StageResult, type StageType } from '../../flows/stage.js';
import { ValidationError } from '../../api/errors.js';
import { tenantForHost } from '../../core/tenants/current.js';
import { authenticatorTotpStages, totpDevices } from './table.js';
import { matchingStep, newTotpKey, totpConfigUrl } from './totp.js';

type TotpStageRow = typeof authenticatorTotpStages.$inferSelect;

const MODEL = 'authentik_stages_authenticator_totp.authenticatortotpstage';
/** The session key of the device being set up, confirmed and stored only once the user sent a code of it. */
export const SESSION_TOTP_DEVICE = 'totp_device';
const DEVICE_NAME = 'TOTP Authenticator';
const STEP = 30;

interface PendingDevice {
  key: string;
  digits: number;
}

export const totpStageModel = defineStageModel<TotpStageRow>({
  modelName: MODEL,
  verboseName: 'TOTP Authenticator Setup Stage',
  verboseNamePlural: 'TOTP Authenticator Setup Stages',
  table: authenticatorTotpStages,
  link: authenticatorTotpStages.stagePtrId,
  requestSchema: 'AuthenticatorTOTPStageRequest',
  fields: {
    configure_flow: { column: authenticatorTotpStages.configureFlowId },
    friendly_name: { column: authenticatorTotpStages.friendlyName },
    // The schema's DigitsEnum is a string ('6', '8'); authentik stores an integer.
    digits: { column: authenticatorTotpStages.digits, parse: (value) => Number(value) },
  },
  serialize: (rows) => rows.map((row) => ({
    configure_flow: row.configureFlowId,
    friendly_name: row.friendlyName,
    digits: String(row.digits),
  })),
  validate(data) {
    if (data.digits !== undefined && !['6', '8', 6, 8].includes(data.digits as string)) {
      throw ValidationError.field('digits', `"${String(data.digits)}" is not a valid choice.`);
    }
  },
});

function pendingDevice(ctx: StageContext): PendingDevice | undefined {
  const stored = ctx.session.get(SESSION_TOTP_DEVICE) as Partial<PendingDevice> | undefined;
  if (!stored || typeof stored.key !== 'string' || typeof stored.digits !== 'number') return undefined;
  return { key: stored.key, digits: stored.digits };
}

/** authentik's `AuthenticatorTOTPStageView.get`: a new secret per setup, kept in the session until confirmed. */
async function challenge(ctx: StageContext<TotpStageRow>) {
  const user = await ctx.pendingUser();
  // Nobody to enroll (a flow without an identified user): authentik passes on.
  if (!user?.id) return next();
  let device = pendingDevice(ctx);
  if (!device) {
    device = { key: newTotpKey(), digits: ctx.stage.digits };
    ctx.session.set(SESSION_TOTP_DEVICE, device);
  }
  const tenant = await tenantForHost(ctx.services, ctx.http.host);
  return {
    component: 'ak-stage-authenticator-totp',
    config_url: totpConfigUrl({ ...device, step: STEP }, tenant.brandingTitle, user.username),
  };
}

async function respond(ctx: StageContext<TotpStageRow>, response: Record<string, unknown>): Promise<StageResult> {
  const user = await ctx.pendingUser();
  const device = pendingDevice(ctx);
  const step = device ? matchingStep({ ...device, step: STEP, tolerance: 1 }, String(response.code ?? '')) : undefined;
  if (!user?.id || !device || step === undefined) return invalid({ code: ['Code does not match'] }, { retryOnly: true });
  // The step of the setup code counts as used: it cannot log in again.
  await ctx.services.db.insert(totpDevices).values({
    userId: user.id, name: DEVICE_NAME, confirmed: true, key: device.key, digits: device.digits, step: STEP, lastT: step,
  });
  ctx.session.delete(SESSION_TOTP_DEVICE);
  return next();
}

/** Enrolls a time-based one-time password device (an authenticator app) for the pending user. */
export const totpStage: StageType<TotpStageRow> = {
  modelName: MODEL,
  formComponent: 'ak-stage-authenticator-totp-form',
  verboseName: 'TOTP Authenticator Setup Stage',
  verboseNamePlural: 'TOTP Authenticator Setup Stages',
  description: "Enroll a user's device into Time-based OTP.",
  model: totpStageModel,
  viewSet: stageTypeViewSet(totpStageModel, '/stages/authenticator/totp/', {
    stage_uuid: stages.stageUuid,
    configure_flow: authenticatorTotpStages.configureFlowId,
    friendly_name: authenticatorTotpStages.friendlyName,
    digits: authenticatorTotpStages.digits,
  }),
  view: { responseSchema: 'AuthenticatorTOTPChallengeResponseRequest', challenge, respond },
  userSettings: (row) => ({ title: row.friendlyName || 'TOTP Authenticator Setup Stage', component: 'ak-user-settings-authenticator-totp' }),
  configureFlow: (row) => row.configureFlowId,
};
