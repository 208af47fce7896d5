import { stageTypeViewSet } from '../../flows/api.js';
import { stageTypeFor } from '../../flows/registry.js';
import { stages } from '../../flows/table.js';
import { deny, invalid, next, PLAN_CONTEXT, type StageContext, type StageResult, type StageType, type UserRow } from '../../flows/stage.js';
import { durationFromString } from '../../events/record.js';
import { confirmedDevicesOf, deviceClass, deviceReference, DeviceResponseRefused, type DeviceChallengeContext, type DeviceClass, type DeviceSummary } from '../authenticator/devices.js';
import { authenticatorValidateStages } from './table.js';
import { passwordlessChallenges, passwordlessLogin } from './passwordless.js';
import { configurationStagesOf, validateStageModel, VALIDATE_STAGE_MODEL, type ValidateStageRow } from './model.js';

/** The plan context key of the challenges last shown (authentik's `PLAN_CONTEXT_DEVICE_CHALLENGES`). */
export const PLAN_CONTEXT_DEVICE_CHALLENGES = 'device_challenges';
/** Security keys and passkeys first, then code-based classes, recovery codes last: the order challenges are offered in. */
const CLASS_ORDER = ['webauthn', 'totp', 'static'];
const NOT_CONFIGURED = 'No (allowed) MFA authenticator configured.';

interface DeviceChallenge {
  device_class: string;
  device_uid: string;
  challenge: Record<string, unknown>;
}

/** The stage's allowed classes that this server knows (duo and sms are not there yet). */
function allowedClasses(stage: ValidateStageRow): DeviceClass[] {
  return CLASS_ORDER.filter((name) => stage.deviceClasses.includes(name)).map((name) => deviceClass(name)).filter((c): c is DeviceClass => Boolean(c));
}

function deviceChallengeContext(ctx: StageContext<ValidateStageRow>): DeviceChallengeContext {
  return { db: ctx.services.db, absoluteUrl: (path) => ctx.absoluteUrl(path), context: ctx.context, userVerification: ctx.stage.webauthnUserVerification };
}

/** One challenge per device class: any of the user's devices of that class will do. */
async function deviceChallenges(ctx: StageContext<ValidateStageRow>, user: UserRow): Promise<{ challenges: DeviceChallenge[]; devices: DeviceSummary[] }> {
  const found = await confirmedDevicesOf(ctx.services.db, allowedClasses(ctx.stage), user.id);
  const challenges: DeviceChallenge[] = [];
  for (const { deviceClass: type, device } of found) {
    if (!challenges.some((challenge) => challenge.device_class === type.name)) {
      challenges.push({ device_class: type.name, device_uid: String(device.pk), challenge: {} });
    }
  }
  return { challenges, devices: found.map(({ device }) => device) };
}

/** Fills in the challenges' data, only once they are shown: a class may keep it in the plan until answered (WebAuthn). */
async function prepareChallenges(ctx: StageContext<ValidateStageRow>, user: UserRow, challenges: DeviceChallenge[]): Promise<void> {
  for (const challenge of challenges) {
    const type = deviceClass(challenge.device_class);
    if (type?.challenge) challenge.challenge = await type.challenge(deviceChallengeContext(ctx), user.id);
  }
}

/** Whether one of the devices was used within `last_auth_threshold`: the user passes without a code. */
function recentlyUsed(stage: ValidateStageRow, devices: DeviceSummary[]): boolean {
  const threshold = durationFromString(stage.lastAuthThreshold);
  if (threshold <= 0) return false;
  const since = Date.now() - threshold;
  return devices.some((device) => device.lastUsed && device.lastUsed.getTime() >= since);
}

async function selectableStages(ctx: StageContext<ValidateStageRow>) {
  return (await configurationStagesOf(ctx.services.db, ctx.stage.stageUuid)).map((stage) => ({
    pk: stage.stageUuid,
    name: stage.name,
    verbose_name: stageTypeFor(stage.model)?.verboseName ?? 'Stage',
    meta_model_name: stage.model,
  }));
}

/**
 * authentik's `AuthenticatorValidateStageView.get`: a user with devices of the allowed classes is asked for a code
 * (unless a device was used recently); one without is let through, denied, or sent to set one up, as the stage's
 * `not_configured_action` says.
 */
async function challenge(ctx: StageContext<ValidateStageRow>) {
  const user = await ctx.pendingUser();
  if (!user?.id) {
    // Nobody identified yet: a passkey alone may say who it is (passwordless login), else there is nothing to ask.
    const anyPasskey = await passwordlessChallenges(ctx, deviceChallengeContext(ctx));
    if (!anyPasskey) return next();
    ctx.context[PLAN_CONTEXT_DEVICE_CHALLENGES] = anyPasskey;
    return { component: 'ak-stage-authenticator-validate', device_challenges: anyPasskey, configuration_stages: [] };
  }
  const { challenges, devices } = await deviceChallenges(ctx, user);
  if (challenges.length && recentlyUsed(ctx.stage, devices)) return next();
  // Every login of a user without devices passes here: the setup stages are read only when they may be offered.
  if (!challenges.length && ctx.stage.notConfiguredAction === 'skip') return next();
  const configurationStages = await selectableStages(ctx);
  if (!challenges.length) {
    // `configure` whose setup stages were all deleted has nothing to offer: the user cannot get a device here.
    if (ctx.stage.notConfiguredAction === 'deny' || !configurationStages.length) return deny(NOT_CONFIGURED);
    if (configurationStages.length === 1) {
      ctx.insertStageNext({ stageUuid: configurationStages[0].pk, model: configurationStages[0].meta_model_name });
      return next();
    }
  }
  await prepareChallenges(ctx, user, challenges);
  ctx.context[PLAN_CONTEXT_DEVICE_CHALLENGES] = challenges;
  return { component: 'ak-stage-authenticator-validate', device_challenges: challenges, configuration_stages: configurationStages };
}

function shownChallenges(ctx: StageContext): DeviceChallenge[] {
  const stored = ctx.context[PLAN_CONTEXT_DEVICE_CHALLENGES];
  return Array.isArray(stored) ? (stored as DeviceChallenge[]) : [];
}

/** Records the device as authentik does, for the login event and policies (`auth_method_args.mfa_devices`). */
function recordMfa(ctx: StageContext, type: DeviceClass, device: DeviceSummary): void {
  ctx.context[PLAN_CONTEXT.METHOD] ??= 'auth_mfa';
  const args = (ctx.context[PLAN_CONTEXT.METHOD_ARGS] ??= {}) as Record<string, unknown>;
  const used = Array.isArray(args.mfa_devices) ? args.mfa_devices : [];
  args.mfa_devices = [...used, deviceReference(type, device)];
}

async function respond(ctx: StageContext<ValidateStageRow>, response: Record<string, unknown>): Promise<StageResult> {
  const user = await ctx.pendingUser();
  const shown = shownChallenges(ctx);
  if (!user?.id) {
    const answer = response.webauthn;
    if (answer && typeof answer === 'object' && shown.some((c) => c.device_class === 'webauthn')) {
      return passwordlessLogin(ctx, deviceChallengeContext(ctx), answer as Record<string, unknown>);
    }
    return invalid({ non_field_errors: ['Empty response'] }, { retryOnly: true });
  }

  if (typeof response.selected_stage === 'string') {
    const chosen = (await selectableStages(ctx)).find((stage) => stage.pk === response.selected_stage);
    // Setting up is only offered to users without devices: asked afresh, as a response may come without the
    // challenge ever being shown, and a user with devices must not get past by enrolling another one.
    const { challenges } = await deviceChallenges(ctx, user);
    if (!chosen || challenges.length || ctx.stage.notConfiguredAction !== 'configure') {
      return invalid({ selected_stage: ['Selected stage is invalid'] }, { retryOnly: true });
    }
    ctx.insertStageNext({ stageUuid: chosen.pk, model: chosen.meta_model_name });
    return next();
  }

  let classes = shown.map((c) => c.device_class);
  const selected = response.selected_challenge as DeviceChallenge | undefined;
  if (selected) {
    if (!shown.some((c) => c.device_class === selected.device_class && c.device_uid === selected.device_uid)) {
      return invalid({ selected_challenge: ['invalid challenge selected'] }, { retryOnly: true });
    }
    classes = [selected.device_class];
  }
  const answered = Object.entries(response).find(([name, value]) => value && typeof value === 'object' && deviceClass(name)?.verifyResponse);
  if (answered) return verifyDeviceResponse(ctx, user, classes, answered[0], answered[1] as Record<string, unknown>);
  const code = typeof response.code === 'string' ? response.code : undefined;
  if (!code) {
    // Choosing a device only shows the challenge again, for its code.
    if (selected) return invalid({}, { retryOnly: true });
    return invalid({ non_field_errors: ['Empty response'] }, { retryOnly: true });
  }
  for (const name of classes) {
    const type = deviceClass(name);
    if (!type?.verifyCode || !ctx.stage.deviceClasses.includes(name)) continue;
    const device = await type.verifyCode(ctx.services.db, user.id, code);
    if (device) {
      recordMfa(ctx, type, device);
      delete ctx.context[PLAN_CONTEXT_DEVICE_CHALLENGES];
      return next();
    }
  }
  return invalid({ code: ['Invalid Token'] }, { retryOnly: true });
}

/** A non-code answer (`webauthn`: an assertion) of a class that was shown. */
async function verifyDeviceResponse(ctx: StageContext<ValidateStageRow>, user: UserRow, shownClasses: string[], name: string, answer: Record<string, unknown>): Promise<StageResult> {
  const type = deviceClass(name)!;
  if (!shownClasses.includes(name) || !ctx.stage.deviceClasses.includes(name)) return invalid({ [name]: ['Invalid device'] }, { retryOnly: true });
  try {
    const device = await type.verifyResponse!(deviceChallengeContext(ctx), user.id, answer);
    recordMfa(ctx, type, device);
    delete ctx.context[PLAN_CONTEXT_DEVICE_CHALLENGES];
    return next();
  } catch (error) {
    if (!(error instanceof DeviceResponseRefused)) throw error;
    return invalid({ [name]: [error.message] }, { retryOnly: true });
  }
}

/** Asks the pending user for a code of one of their authenticator devices. */
export const validateStage: StageType<ValidateStageRow> = {
  modelName: VALIDATE_STAGE_MODEL,
  formComponent: 'ak-stage-authenticator-validate-form',
  verboseName: 'Authenticator Validation Stage',
  verboseNamePlural: 'Authenticator Validation Stages',
  description: 'Validate user\'s configured OTP Device.',
  model: validateStageModel,
  viewSet: stageTypeViewSet(validateStageModel, '/stages/authenticator/validate/', {
    stage_uuid: stages.stageUuid,
    not_configured_action: authenticatorValidateStages.notConfiguredAction,
  }),
  view: { responseSchema: 'AuthenticatorValidationChallengeResponseRequest', challenge, respond },
};
