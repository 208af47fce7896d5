import { and, asc, eq } from 'drizzle-orm';
import { generateAuthenticationOptions, verifyAuthenticationResponse, type AuthenticationResponseJSON } from '@simplewebauthn/server';
import { deviceSummary, DeviceResponseRefused, type DeviceChallengeContext, type DeviceSummary } from '../authenticator/devices.js';
import { webAuthnDevices } from './table.js';
import { newChallenge, relyingPartyOf } from './relying-party.js';

/** The plan context key of the challenge the last authentication options carry (authentik's `PLAN_CONTEXT_WEBAUTHN_CHALLENGE`). */
export const PLAN_CONTEXT_WEBAUTHN_CHALLENGE = 'goauthentik.io/stages/authenticator_webauthn/challenge';

type UserVerification = 'required' | 'preferred' | 'discouraged';

/**
 * authentik's `get_webauthn_challenge`: request options that any of the user's credentials may answer (any
 * discoverable credential when there is no user yet: passwordless login), with a fresh challenge kept in the
 * plan until answered.
 */
export async function authenticationOptions(ctx: DeviceChallengeContext, userId: number | null): Promise<Record<string, unknown>> {
  const devices = userId === null ? [] : await ctx.db.select({ credentialId: webAuthnDevices.credentialId }).from(webAuthnDevices)
    .where(and(eq(webAuthnDevices.userId, userId), eq(webAuthnDevices.confirmed, true))).orderBy(asc(webAuthnDevices.name), asc(webAuthnDevices.id));
  const options = await generateAuthenticationOptions({
    rpID: relyingPartyOf(ctx).id,
    challenge: newChallenge(),
    allowCredentials: devices.map((device) => ({ id: device.credentialId })),
    userVerification: ctx.userVerification as UserVerification,
  });
  ctx.context[PLAN_CONTEXT_WEBAUTHN_CHALLENGE] = options.challenge;
  return { ...options };
}

/**
 * authentik's `validate_challenge_webauthn`: the assertion must be of one of the user's credentials, for the
 * challenge last shown (spent by this answer, right or wrong), this origin and host name; the credential's
 * signature counter and last use are updated.
 */
export async function verifyAssertion(ctx: DeviceChallengeContext, userId: number | null, response: Record<string, unknown>): Promise<DeviceSummary & { userId: number }> {
  const expected = ctx.context[PLAN_CONTEXT_WEBAUTHN_CHALLENGE];
  delete ctx.context[PLAN_CONTEXT_WEBAUTHN_CHALLENGE];
  const credentialId = response.id;
  if (typeof credentialId !== 'string' || !credentialId) throw new DeviceResponseRefused('Invalid device');
  const [device] = await ctx.db.select().from(webAuthnDevices).where(eq(webAuthnDevices.credentialId, credentialId));
  if (!device || (userId !== null && device.userId !== userId) || !device.confirmed) throw new DeviceResponseRefused('Invalid device');
  if (typeof expected !== 'string') throw new DeviceResponseRefused('Assertion failed');
  const rp = relyingPartyOf(ctx);
  let newCounter: number;
  try {
    const verified = await verifyAuthenticationResponse({
      response: response as unknown as AuthenticationResponseJSON,
      expectedChallenge: expected,
      expectedOrigin: rp.origin,
      expectedRPID: rp.id,
      credential: { id: device.credentialId, publicKey: new Uint8Array(Buffer.from(device.publicKey, 'base64url')), counter: device.signCount },
      requireUserVerification: ctx.userVerification === 'required',
    });
    if (!verified.verified) throw new Error('not verified');
    newCounter = verified.authenticationInfo.newCounter;
  } catch {
    throw new DeviceResponseRefused('Assertion failed');
  }
  const lastUsed = new Date();
  await ctx.db.update(webAuthnDevices).set({ signCount: newCounter, lastUsed }).where(eq(webAuthnDevices.id, device.id));
  return { ...deviceSummary({ ...device, lastUsed }), userId: device.userId };
}
