import { eq } from 'drizzle-orm';
import { users } from '../../core/table.js';
import { invalid, next, PLAN_CONTEXT, type StageContext, type StageResult } from '../../flows/stage.js';
import { deviceClass, deviceReference, DeviceResponseRefused, type DeviceChallengeContext } from '../authenticator/devices.js';
import type { ValidateStageRow } from './model.js';

const WEBAUTHN = 'webauthn';
/** authentik's `auth_method` of a login by a passkey alone. */
const METHOD_PASSWORDLESS = 'auth_webauthn_pwl';

/**
 * authentik's `get_webauthn_challenge_without_user`: with nobody identified yet, an authentication flow whose
 * stage allows WebAuthn asks for any passkey, and its owner becomes the pending user. Undefined when the stage
 * has nothing to ask without a user.
 */
export async function passwordlessChallenges(ctx: StageContext<ValidateStageRow>, devices: DeviceChallengeContext) {
  const webauthn = deviceClass(WEBAUTHN);
  if (ctx.flow.designation !== 'authentication' || !ctx.stage.deviceClasses.includes(WEBAUTHN) || !webauthn?.challenge) return undefined;
  return [{ device_class: WEBAUTHN, device_uid: '-1', challenge: await webauthn.challenge(devices, null) }];
}

/** Verifies a passkey's assertion and makes its owner the pending user, as authentik's `challenge_valid`. */
export async function passwordlessLogin(ctx: StageContext<ValidateStageRow>, devices: DeviceChallengeContext, answer: Record<string, unknown>): Promise<StageResult> {
  const webauthn = deviceClass(WEBAUTHN)!;
  let device;
  try {
    device = await webauthn.verifyResponse!(devices, null, answer);
  } catch (error) {
    if (!(error instanceof DeviceResponseRefused)) throw error;
    return invalid({ [WEBAUTHN]: [error.message] }, { retryOnly: true });
  }
  const [user] = await ctx.services.db.select().from(users).where(eq(users.id, device.userId));
  ctx.setPendingUser(user);
  ctx.context[PLAN_CONTEXT.METHOD] = METHOD_PASSWORDLESS;
  ctx.context[PLAN_CONTEXT.METHOD_ARGS] = { device: deviceReference(webauthn, device) };
  return next();
}
