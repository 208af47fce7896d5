import { randomUUID } from 'node:crypto';
import { and, eq, gt, or } from 'drizzle-orm';
import { ErrorCollector } from '../../api/errors.js';
import { defineStageModel } from '../../flows/models.js';
import { stageTypeViewSet } from '../../flows/api.js';
import { stages } from '../../flows/table.js';
import { invalid, next, PLAN_CONTEXT, type StageContext, type StageResult, type StageType } from '../../flows/stage.js';
import { userConsents } from '../../core/table.js';
import { isDurationString } from '../../core/tenants/model.js';
import { durationFromString } from '../../events/record.js';
import { consentStages } from './table.js';

type ConsentStageRow = typeof consentStages.$inferSelect;

const MODEL = 'authentik_stages_consent.consentstage';
export const CONSENT_MODES = ['always_require', 'permanent', 'expiring'] as const;

/** The plan context keys authentik's OAuth2 and SAML providers fill for this stage. */
export const PLAN_CONTEXT_CONSENT_HEADER = 'consent_header';
export const PLAN_CONTEXT_CONSENT_PERMISSIONS = 'consent_permissions';
export const PLAN_CONTEXT_CONSENT_EXTRA_PERMISSIONS = 'consent_additional_permissions';
/** The session key of the token a consent response must echo (authentik's `SESSION_KEY_CONSENT_TOKEN`). */
export const SESSION_KEY_CONSENT_TOKEN = 'authentik/stages/consent/token';

/** One permission a consent screen lists: a scope's id and its description. */
interface ConsentPermission {
  id: string;
  name: string;
}

export const consentStageModel = defineStageModel<ConsentStageRow>({
  modelName: MODEL,
  verboseName: 'Consent Stage',
  verboseNamePlural: 'Consent Stages',
  table: consentStages,
  link: consentStages.stagePtrId,
  requestSchema: 'ConsentStageRequest',
  fields: {
    mode: { column: consentStages.mode },
    consent_expire_in: { column: consentStages.consentExpireIn },
  },
  serialize: (rows) => rows.map((row) => ({ mode: row.mode, consent_expire_in: row.consentExpireIn })),
  validate(data) {
    const errors = new ErrorCollector();
    const value = data.consent_expire_in;
    if (typeof value === 'string' && !isDurationString(value)) errors.add('consent_expire_in', `${value} is not in the correct format of 'hours=3;minutes=1'.`);
    errors.throwIfAny();
  },
});

function permissionsOf(value: unknown): ConsentPermission[] {
  if (!Array.isArray(value)) return [];
  return value.filter((p): p is ConsentPermission => Boolean(p) && typeof p === 'object' && typeof (p as ConsentPermission).id === 'string')
    .map((p) => ({ id: p.id, name: String(p.name ?? '') }));
}

/** The application the plan is for (the providers put its row, or at least its pk, in the context). */
function applicationOf(ctx: StageContext): string | undefined {
  const application = ctx.context[PLAN_CONTEXT.APPLICATION];
  if (typeof application === 'string') return application;
  if (application && typeof application === 'object') {
    const pk = (application as Record<string, unknown>).pk ?? (application as Record<string, unknown>).pbmUuid;
    if (typeof pk === 'string') return pk;
  }
  return undefined;
}

/** Whom consent is asked from: the pending user if the plan has one, else the logged-in user. */
async function consentingUserId(ctx: StageContext): Promise<number | undefined> {
  const user = ctx.context[PLAN_CONTEXT.PENDING_USER] ? await ctx.pendingUser() : ctx.user;
  return user?.id || undefined;
}

/** The permissions the user's unexpired consents to the application grant, or undefined without any. */
async function grantedPermissions(ctx: StageContext, userId: number, applicationId: string): Promise<Set<string> | undefined> {
  const rows = await ctx.services.db.select({ permissions: userConsents.permissions }).from(userConsents).where(and(
    eq(userConsents.userId, userId), eq(userConsents.applicationId, applicationId),
    or(eq(userConsents.expiring, false), gt(userConsents.expires, new Date())),
  ));
  if (!rows.length) return undefined;
  return new Set(rows.flatMap((row) => row.permissions.split(' ').filter(Boolean)));
}

function challengeFor(ctx: StageContext, permissions: ConsentPermission[], additional: ConsentPermission[]) {
  const token = randomUUID();
  ctx.session.set(SESSION_KEY_CONSENT_TOKEN, token);
  const header = ctx.context[PLAN_CONTEXT_CONSENT_HEADER];
  return {
    component: 'ak-stage-consent',
    permissions,
    additional_permissions: additional,
    token,
    ...(typeof header === 'string' ? { header_text: header } : {}),
  };
}

/**
 * authentik's `ConsentStageView.get`: always asks in `always_require` mode or without an application; otherwise
 * passes when the user's stored consent covers what the plan asks for, and asks only for what it does not.
 */
async function challenge(ctx: StageContext<ConsentStageRow>) {
  const requested = permissionsOf(ctx.context[PLAN_CONTEXT_CONSENT_PERMISSIONS]);
  delete ctx.context[PLAN_CONTEXT_CONSENT_EXTRA_PERMISSIONS];
  const applicationId = applicationOf(ctx);
  const userId = await consentingUserId(ctx);
  if (ctx.stage.mode === 'always_require' || !applicationId || !userId) return challengeFor(ctx, requested, []);
  const granted = await grantedPermissions(ctx, userId, applicationId);
  if (!granted) return challengeFor(ctx, requested, []);
  const additional = requested.filter((p) => !granted.has(p.id));
  if (!additional.length) return next();
  ctx.context[PLAN_CONTEXT_CONSENT_EXTRA_PERMISSIONS] = additional;
  return challengeFor(ctx, requested.filter((p) => granted.has(p.id)), additional);
}

/** Stores the consent as the stage's mode says: for good, or until `consent_expire_in` from now. */
async function storeConsent(ctx: StageContext<ConsentStageRow>, userId: number, applicationId: string): Promise<void> {
  const granted = (await grantedPermissions(ctx, userId, applicationId)) ?? new Set<string>();
  for (const permission of permissionsOf(ctx.context[PLAN_CONTEXT_CONSENT_PERMISSIONS])) granted.add(permission.id);
  const permissions = [...granted].join(' ');
  const expiring = ctx.stage.mode === 'expiring';
  const expires = expiring ? { expires: new Date(Date.now() + durationFromString(ctx.stage.consentExpireIn)) } : {};
  // The new consent replaces the user's earlier ones for the application: it covers what they granted.
  await ctx.services.db.transaction(async (tx) => {
    await tx.delete(userConsents).where(and(eq(userConsents.userId, userId), eq(userConsents.applicationId, applicationId)));
    await tx.insert(userConsents).values({ userId, applicationId, permissions, expiring, ...expires });
  });
}

async function respond(ctx: StageContext<ConsentStageRow>, response: Record<string, unknown>): Promise<StageResult> {
  const expected = ctx.session.get(SESSION_KEY_CONSENT_TOKEN);
  // A response to another challenge than the last one shown (a stale tab, a replay) gets a fresh challenge.
  if (typeof expected !== 'string' || response.token !== expected) return invalid({}, { retryOnly: true });
  ctx.session.delete(SESSION_KEY_CONSENT_TOKEN);
  const applicationId = applicationOf(ctx);
  const userId = await consentingUserId(ctx);
  if (applicationId && userId && ctx.stage.mode !== 'always_require') await storeConsent(ctx, userId, applicationId);
  delete ctx.context[PLAN_CONTEXT_CONSENT_EXTRA_PERMISSIONS];
  return next();
}

/** Asks the user to consent to an application and the permissions (scopes) it asks for. */
export const consentStage: StageType<ConsentStageRow> = {
  modelName: MODEL,
  formComponent: 'ak-stage-consent-form',
  verboseName: 'Consent Stage',
  verboseNamePlural: 'Consent Stages',
  description: 'Prompt the user for confirmation.',
  model: consentStageModel,
  viewSet: stageTypeViewSet(consentStageModel, '/stages/consent/', {
    stage_uuid: stages.stageUuid,
    mode: consentStages.mode,
    consent_expire_in: consentStages.consentExpireIn,
  }),
  view: { responseSchema: 'ConsentChallengeResponseRequest', challenge, respond },
};
