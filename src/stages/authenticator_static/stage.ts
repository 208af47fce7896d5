import { defineStageModel } from '../../flows/models.js';
import { stageTypeViewSet } from '../../flows/api.js';
import { stages } from '../../flows/table.js';
import { invalid, next, type StageContext, type StageResult, type StageType } from '../../flows/stage.js';
import { ErrorCollector } from '../../api/errors.js';
import { authenticatorStaticStages, staticDevices, staticTokens } from './table.js';
import { MAX_TOKEN_LENGTH, newStaticToken } from './tokens.js';

type StaticStageRow = typeof authenticatorStaticStages.$inferSelect;

const MODEL = 'authentik_stages_authenticator_static.authenticatorstaticstage';
/** The session key of the codes being set up: stored only once the user confirms they noted them. */
export const SESSION_STATIC_TOKENS = 'static_device_tokens';
const DEVICE_NAME = 'Static Token';

export const staticStageModel = defineStageModel<StaticStageRow>({
  modelName: MODEL,
  verboseName: 'Static Authenticator Stage',
  verboseNamePlural: 'Static Authenticator Stages',
  table: authenticatorStaticStages,
  link: authenticatorStaticStages.stagePtrId,
  requestSchema: 'AuthenticatorStaticStageRequest',
  fields: {
    configure_flow: { column: authenticatorStaticStages.configureFlowId },
    friendly_name: { column: authenticatorStaticStages.friendlyName },
    token_count: { column: authenticatorStaticStages.tokenCount },
    token_length: { column: authenticatorStaticStages.tokenLength },
  },
  serialize: (rows) => rows.map((row) => ({
    configure_flow: row.configureFlowId,
    friendly_name: row.friendlyName,
    token_count: row.tokenCount,
    token_length: row.tokenLength,
  })),
  validate(data) {
    // Codes longer than the token column could never be stored; authentik would fail at setup time instead.
    const errors = new ErrorCollector();
    if (typeof data.token_length === 'number' && (data.token_length < 1 || data.token_length > MAX_TOKEN_LENGTH)) {
      errors.add('token_length', `Ensure this value is between 1 and ${MAX_TOKEN_LENGTH}.`);
    }
    errors.throwIfAny();
  },
});

function pendingTokens(ctx: StageContext): string[] | undefined {
  const stored = ctx.session.get(SESSION_STATIC_TOKENS);
  return Array.isArray(stored) && stored.every((token) => typeof token === 'string') ? stored : undefined;
}

/** authentik's `AuthenticatorStaticStageView.get`: new codes per setup, kept in the session until confirmed. */
async function challenge(ctx: StageContext<StaticStageRow>) {
  const user = await ctx.pendingUser();
  if (!user?.id) return next();
  let tokens = pendingTokens(ctx);
  if (!tokens) {
    tokens = Array.from({ length: ctx.stage.tokenCount }, () => newStaticToken(ctx.stage.tokenLength));
    ctx.session.set(SESSION_STATIC_TOKENS, tokens);
  }
  return { component: 'ak-stage-authenticator-static', codes: tokens };
}

/** The user saw the codes: the device and its codes are stored. */
async function respond(ctx: StageContext<StaticStageRow>): Promise<StageResult> {
  const user = await ctx.pendingUser();
  const tokens = pendingTokens(ctx);
  if (!user?.id) return next();
  // A response to codes never shown (no challenge before it) sets nothing up: the codes are shown first.
  if (!tokens) return invalid({}, { retryOnly: true });
  await ctx.services.db.transaction(async (tx) => {
    const [device] = await tx.insert(staticDevices).values({ userId: user.id, name: DEVICE_NAME, confirmed: true }).returning({ id: staticDevices.id });
    if (tokens.length) await tx.insert(staticTokens).values(tokens.map((token) => ({ deviceId: device.id, token })));
  });
  ctx.session.delete(SESSION_STATIC_TOKENS);
  return next();
}

/** Generates single-use recovery codes for the pending user. */
export const staticStage: StageType<StaticStageRow> = {
  modelName: MODEL,
  formComponent: 'ak-stage-authenticator-static-form',
  verboseName: 'Static Authenticator Stage',
  verboseNamePlural: 'Static Authenticator Stages',
  description: 'Generate static tokens for the user as a backup.',
  model: staticStageModel,
  viewSet: stageTypeViewSet(staticStageModel, '/stages/authenticator/static/', {
    stage_uuid: stages.stageUuid,
    configure_flow: authenticatorStaticStages.configureFlowId,
    friendly_name: authenticatorStaticStages.friendlyName,
    token_count: authenticatorStaticStages.tokenCount,
  }),
  view: { responseSchema: 'AuthenticatorStaticChallengeResponseRequest', challenge, respond },
  userSettings: (row) => ({ title: row.friendlyName || 'Static Authenticator Stage', component: 'ak-user-settings-authenticator-static' }),
  configureFlow: (row) => row.configureFlowId,
};
