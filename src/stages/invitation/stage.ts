import { and, eq, lt, sql } from 'drizzle-orm';
import { defineStageModel } from '../../flows/models.js';
import { stageTypeViewSet } from '../../flows/api.js';
import { flowStageBindings, stages } from '../../flows/table.js';
import { deny, next, PLAN_CONTEXT, type StageContext, type StageResult, type StageType } from '../../flows/stage.js';
import type { FilterFn } from '../../api/model.js';
import { ValidationError } from '../../api/errors.js';
import { recordEvent } from '../../events/record.js';
import { invitationStages, invitations } from './table.js';
import type { InvitationRow } from './models.js';

type InvitationStageRow = typeof invitationStages.$inferSelect;

const MODEL = 'authentik_stages_invitation.invitationstage';
/** The query parameters an invitation link carries its token in, and `prompt_data`'s key for it. */
const INVITATION_TOKEN_KEY = 'itoken';
const INVITATION_TOKEN_KEY_CONTEXT = 'token';
export const INVITATION_IN_EFFECT = 'invitation_in_effect';
export const INVITATION = 'invitation';
const UUID_RE = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

export const invitationStageModel = defineStageModel<InvitationStageRow>({
  modelName: MODEL,
  verboseName: 'Invitation Stage',
  verboseNamePlural: 'Invitation Stages',
  table: invitationStages,
  link: invitationStages.stagePtrId,
  requestSchema: 'InvitationStageRequest',
  fields: { continue_flow_without_invitation: { column: invitationStages.continueFlowWithoutInvitation } },
  serialize: (rows) => rows.map((row) => ({ continue_flow_without_invitation: row.continueFlowWithoutInvitation })),
});

function tokenOf(ctx: StageContext): string | undefined {
  const fromQuery = ctx.query[INVITATION_TOKEN_KEY] ?? ctx.query[INVITATION_TOKEN_KEY_CONTEXT];
  if (fromQuery) return fromQuery;
  const prompt = ctx.context[PLAN_CONTEXT.PROMPT] as Record<string, unknown> | undefined;
  const token = prompt && typeof prompt === 'object' ? prompt[INVITATION_TOKEN_KEY_CONTEXT] : undefined;
  return typeof token === 'string' && token ? token : undefined;
}

/**
 * authentik's `get_invite`: the invitation the token names, unless it expired (expired invitations are deleted
 * as authentik's `filter_not_expired` does) or is meant for another flow.
 */
async function invitationFor(ctx: StageContext, token: string): Promise<InvitationRow | undefined> {
  if (!UUID_RE.test(token)) {
    ctx.log.debug({ token }, 'invalid invitation');
    return undefined;
  }
  const db = ctx.services.db;
  await db.delete(invitations).where(and(eq(invitations.inviteUuid, token), eq(invitations.expiring, true), lt(invitations.expires, new Date())));
  const [invite] = await db.select().from(invitations).where(eq(invitations.inviteUuid, token)).limit(1);
  if (!invite) {
    ctx.log.debug({ token }, 'invalid invitation');
    return undefined;
  }
  if (invite.flowId && invite.flowId !== ctx.flow.flowUuid) {
    ctx.log.debug({ expected: invite.flowId, found: ctx.flow.slug }, 'invite for incorrect flow');
    return undefined;
  }
  return invite;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** deepmerge's `always_merger`: dictionaries merge, lists append, anything else is replaced. */
function merge(target: Record<string, unknown>, source: Record<string, unknown>): Record<string, unknown> {
  for (const [key, value] of Object.entries(source)) {
    const current = target[key];
    if (isPlainObject(current) && isPlainObject(value)) target[key] = merge({ ...current }, value);
    else if (Array.isArray(current) && Array.isArray(value)) target[key] = [...current, ...structuredClone(value)];
    else target[key] = structuredClone(value);
  }
  return target;
}

/** authentik's InvitationStageView: applies the invitation the flow was opened with, or refuses to go on. */
async function apply(ctx: StageContext<InvitationStageRow>): Promise<StageResult> {
  const token = tokenOf(ctx);
  const invite = token ? await invitationFor(ctx, token) : undefined;
  if (!invite) {
    if (ctx.stage.continueFlowWithoutInvitation) return next();
    return deny('Invalid invite/invite not found');
  }
  ctx.context[INVITATION_IN_EFFECT] = true;
  ctx.context[INVITATION] = {
    pk: invite.inviteUuid, name: invite.name, fixed_data: invite.fixedData, single_use: invite.singleUse, flow: invite.flowId,
    expires: invite.expires.toISOString(),
  };
  const prompt = ctx.context[PLAN_CONTEXT.PROMPT];
  ctx.context[PLAN_CONTEXT.PROMPT] = merge(merge({}, isPlainObject(prompt) ? prompt : {}), invite.fixedData ?? {});
  await recordEvent(ctx.services, {
    action: 'invitation_used', app: 'authentik.events.signals', user: ctx.user, request: { ...ctx.http },
    context: { invitation_uuid: invite.inviteUuid.replace(/-/g, '') },
  });
  if (invite.singleUse) {
    await ctx.services.db.delete(invitations).where(eq(invitations.inviteUuid, invite.inviteUuid));
    ctx.log.debug({ token: invite.inviteUuid }, 'Deleted invitation');
  }
  return next();
}

const boundStages = sql`(select ${flowStageBindings.stageId} from ${flowStageBindings})`;

/** django-filter's `BooleanFilter("flow", "isnull")`: stages bound to no flow (true) or to some (false). */
const noFlows: FilterFn = (value) => {
  const lowered = value.toLowerCase();
  if (!['true', 'false', '1', '0'].includes(lowered)) throw ValidationError.field('non_field_errors', `"${value}" is not a valid boolean.`);
  return lowered === 'true' || lowered === '1' ? sql`${stages.stageUuid} not in ${boundStages}` : sql`${stages.stageUuid} in ${boundStages}`;
};

const baseViewSet = stageTypeViewSet(invitationStageModel, '/stages/invitation/stages/', {
  continue_flow_without_invitation: invitationStages.continueFlowWithoutInvitation,
  stage_uuid: stages.stageUuid,
});

/** Lets users enroll with an invitation link (`?itoken=`), whose fixed data prefills the prompts. */
export const invitationStage: StageType<InvitationStageRow> = {
  modelName: MODEL,
  formComponent: 'ak-stage-invitation-form',
  verboseName: 'Invitation Stage',
  verboseNamePlural: 'Invitation Stages',
  description: 'Simplify enrollment; allow users to use a single link to create their user with pre-defined parameters.',
  model: invitationStageModel,
  viewSet: { ...baseViewSet, filters: { ...baseViewSet.filters, no_flows: noFlows } },
  view: { challenge: apply },
};
