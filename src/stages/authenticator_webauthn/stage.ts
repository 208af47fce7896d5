import { eq } from 'drizzle-orm';
import { generateRegistrationOptions, verifyRegistrationResponse, type RegistrationResponseJSON } from '@simplewebauthn/server';
import { defineStageModel } from '../../flows/models.js';
import { stageTypeViewSet } from '../../flows/api.js';
import { stages } from '../../flows/table.js';
import { invalid, next, type StageContext, type StageResult, type StageType } from '../../flows/stage.js';
import { ValidationError } from '../../api/errors.js';
import { tenantForHost } from '../../core/tenants/current.js';
import { userUid } from '../../core/users/model.js';
import { authenticateWebAuthnStages, webAuthnDevices } from './table.js';
import { newChallenge, relyingPartyOf } from './relying-party.js';

type WebAuthnStageRow = typeof authenticateWebAuthnStages.$inferSelect;

const MODEL = 'authentik_stages_authenticator_webauthn.authenticatewebauthnstage';
/** The session key of the challenge the last registration options carry (authentik's `SESSION_KEY_WEBAUTHN_CHALLENGE`). */
export const SESSION_WEBAUTHN_CHALLENGE = 'authentik/stages/authenticator_webauthn/challenge';
const DEVICE_NAME = 'WebAuthn Device';
const CHOICES = {
  user_verification: ['required', 'preferred', 'discouraged'],
  authenticator_attachment: ['platform', 'cross-platform', null],
  resident_key_requirement: ['discouraged', 'preferred', 'required'],
} as const;

export const webAuthnStageModel = defineStageModel<WebAuthnStageRow>({
  modelName: MODEL,
  verboseName: 'WebAuthn Authenticator Setup Stage',
  verboseNamePlural: 'WebAuthn Authenticator Setup Stages',
  table: authenticateWebAuthnStages,
  link: authenticateWebAuthnStages.stagePtrId,
  requestSchema: 'AuthenticateWebAuthnStageRequest',
  fields: {
    configure_flow: { column: authenticateWebAuthnStages.configureFlowId },
    friendly_name: { column: authenticateWebAuthnStages.friendlyName },
    user_verification: { column: authenticateWebAuthnStages.userVerification },
    authenticator_attachment: { column: authenticateWebAuthnStages.authenticatorAttachment },
    resident_key_requirement: { column: authenticateWebAuthnStages.residentKeyRequirement },
  },
  serialize: (rows) => rows.map((row) => ({
    configure_flow: row.configureFlowId,
    friendly_name: row.friendlyName,
    user_verification: row.userVerification,
    authenticator_attachment: row.authenticatorAttachment,
    resident_key_requirement: row.residentKeyRequirement,
  })),
  validate(data) {
    for (const [field, choices] of Object.entries(CHOICES)) {
      const value = data[field];
      if (value !== undefined && !(choices as readonly unknown[]).includes(value)) {
        throw ValidationError.field(field, `"${String(value)}" is not a valid choice.`);
      }
    }
  },
});

/**
 * authentik's `AuthenticatorWebAuthnStageView.get_challenge`: fresh registration options on every showing, their
 * challenge kept in the session (so that only the last options shown can be answered, once).
 */
async function challenge(ctx: StageContext<WebAuthnStageRow>) {
  const user = await ctx.pendingUser();
  // Nobody to enroll (a flow without an identified user): authentik passes on.
  if (!user?.id) return next();
  const rp = relyingPartyOf(ctx);
  const tenant = await tenantForHost(ctx.services, ctx.http.host);
  const stage = ctx.stage;
  const registration = await generateRegistrationOptions({
    rpID: rp.id,
    rpName: tenant.brandingTitle,
    userID: new TextEncoder().encode(userUid(ctx.services.installId, user.id)),
    userName: user.username,
    userDisplayName: user.name,
    challenge: newChallenge(),
    attestationType: 'none',
    authenticatorSelection: {
      residentKey: stage.residentKeyRequirement as 'discouraged' | 'preferred' | 'required',
      userVerification: stage.userVerification as 'required' | 'preferred' | 'discouraged',
      ...(stage.authenticatorAttachment ? { authenticatorAttachment: stage.authenticatorAttachment as 'platform' | 'cross-platform' } : {}),
    },
  });
  ctx.session.set(SESSION_WEBAUTHN_CHALLENGE, registration.challenge);
  return { component: 'ak-stage-authenticator-webauthn', registration };
}

async function verifiedCredential(ctx: StageContext<WebAuthnStageRow>, response: unknown) {
  const expected = ctx.session.get(SESSION_WEBAUTHN_CHALLENGE);
  // A challenge answers one response: a replay, or a second tab's answer, finds none (or another) here.
  ctx.session.delete(SESSION_WEBAUTHN_CHALLENGE);
  if (typeof expected !== 'string' || !response || typeof response !== 'object') throw new Error('no registration in progress');
  const rp = relyingPartyOf(ctx);
  const verified = await verifyRegistrationResponse({
    response: response as RegistrationResponseJSON,
    expectedChallenge: expected,
    expectedOrigin: rp.origin,
    expectedRPID: rp.id,
    requireUserVerification: ctx.stage.userVerification === 'required',
  });
  if (!verified.verified) throw new Error('the attestation was not verified');
  return { rpId: rp.id, ...verified.registrationInfo.credential };
}

async function respond(ctx: StageContext<WebAuthnStageRow>, response: Record<string, unknown>): Promise<StageResult> {
  const user = await ctx.pendingUser();
  if (!user?.id) return invalid({ response: ['No pending user.'] });
  let credential: Awaited<ReturnType<typeof verifiedCredential>>;
  try {
    credential = await verifiedCredential(ctx, response.response);
  } catch (error) {
    ctx.log.warn({ err: error }, 'webauthn registration failed');
    return invalid({ response: [`Registration failed. Error: ${(error as Error).message}`] });
  }
  const db = ctx.services.db;
  const [existing] = await db.select({ id: webAuthnDevices.id }).from(webAuthnDevices).where(eq(webAuthnDevices.credentialId, credential.id));
  if (existing) return invalid({ response: ['Credential ID already exists.'] });
  const inserted = await db.insert(webAuthnDevices).values({
    userId: user.id,
    name: ctx.stage.friendlyName || DEVICE_NAME,
    publicKey: Buffer.from(credential.publicKey).toString('base64url'),
    credentialId: credential.id,
    signCount: credential.counter,
    rpId: credential.rpId,
  }).onConflictDoNothing().returning({ id: webAuthnDevices.id });
  // Two responses of one credential at once: the second finds the first's row only now.
  if (!inserted.length) return invalid({ response: ['Credential ID already exists.'] });
  return next();
}

/** Enrolls a WebAuthn credential (a passkey or a security key) for the pending user. */
export const webAuthnStage: StageType<WebAuthnStageRow> = {
  modelName: MODEL,
  formComponent: 'ak-stage-authenticator-webauthn-form',
  verboseName: 'WebAuthn Authenticator Setup Stage',
  verboseNamePlural: 'WebAuthn Authenticator Setup Stages',
  description: 'Stage to enroll WebAuthn devices.',
  model: webAuthnStageModel,
  viewSet: stageTypeViewSet(webAuthnStageModel, '/stages/authenticator/webauthn/', {
    stage_uuid: stages.stageUuid,
    configure_flow: authenticateWebAuthnStages.configureFlowId,
    friendly_name: authenticateWebAuthnStages.friendlyName,
    user_verification: authenticateWebAuthnStages.userVerification,
    authenticator_attachment: authenticateWebAuthnStages.authenticatorAttachment,
    resident_key_requirement: authenticateWebAuthnStages.residentKeyRequirement,
  }),
  view: { responseSchema: 'AuthenticatorWebAuthnChallengeResponseRequest', challenge, respond },
  userSettings: (row) => ({ title: row.friendlyName || 'WebAuthn Authenticator Setup Stage', component: 'ak-user-settings-authenticator-webauthn' }),
  configureFlow: (row) => row.configureFlowId,
};
