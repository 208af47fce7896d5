import { sql } from 'drizzle-orm';
import { defineStageModel } from '../../flows/models.js';
import { stageTypeViewSet } from '../../flows/api.js';
import { deny, next, PLAN_CONTEXT, type StageContext, type StageResult, type StageType } from '../../flows/stage.js';
import { ErrorCollector } from '../../api/errors.js';
import { authenticatedSessions, sessions, users } from '../../core/table.js';
import { DEFAULT_SESSION_AGE_SECONDS } from '../../core/sessions.js';
import { isDurationString } from '../../core/tenants/model.js';
import { durationFromString, recordEvent } from '../../events/record.js';
import { loginSucceeded } from '../../policies/reputation/scores.js';
import { userLoginStages } from './table.js';

type UserLoginStageRow = typeof userLoginStages.$inferSelect;

const MODEL = 'authentik_stages_user_login.userloginstage';

export const userLoginStageModel = defineStageModel<UserLoginStageRow>({
  modelName: MODEL,
  verboseName: 'User Login Stage',
  verboseNamePlural: 'User Login Stages',
  table: userLoginStages,
  link: userLoginStages.stagePtrId,
  requestSchema: 'UserLoginStageRequest',
  fields: {
    session_duration: { column: userLoginStages.sessionDuration },
    terminate_other_sessions: { column: userLoginStages.terminateOtherSessions },
    remember_me_offset: { column: userLoginStages.rememberMeOffset },
  },
  serialize: (rows) => rows.map((row) => ({
    session_duration: row.sessionDuration,
    terminate_other_sessions: row.terminateOtherSessions,
    remember_me_offset: row.rememberMeOffset,
  })),
  validate(data) {
    const errors = new ErrorCollector();
    for (const field of ['session_duration', 'remember_me_offset']) {
      const value = data[field];
      if (typeof value === 'string' && !isDurationString(value)) errors.add(field, `${value} is not in the correct format of 'hours=3;minutes=1'.`);
    }
    errors.throwIfAny();
  },
});

function seconds(duration: string): number {
  return Math.max(0, Math.round(durationFromString(duration) / 1000));
}

/**
 * authentik's `do_login`: attaches the pending user to the session under a new key, for `session_duration`
 * (plus `remember_me_offset` if asked), records the authenticated session, the login event and the reputation.
 */
async function login(ctx: StageContext<UserLoginStageRow>, remember: boolean): Promise<StageResult> {
  const pending = ctx.context[PLAN_CONTEXT.PENDING_USER] as { pk?: number | null } | undefined;
  const row = pending?.pk ? await ctx.pendingUser() : undefined;
  const user = row && row.id === pending?.pk ? row : undefined;
  if (!user) {
    ctx.log.warn({ flow_slug: ctx.flow.slug }, 'No pending user to login');
    return deny('No Pending user to login.');
  }
  if (!user.isActive) ctx.log.warn({ user: user.username }, 'User is not active, login will not work.');
  const age = seconds(ctx.stage.sessionDuration) + (remember ? seconds(ctx.stage.rememberMeOffset) : 0);
  const key = await ctx.session.login(user, age);
  const now = new Date().toISOString();
  const expires = new Date(Date.now() + (age > 0 ? age : DEFAULT_SESSION_AGE_SECONDS) * 1000).toISOString();
  // One statement (so atomic, and one round trip on the login's path): the user's last login, the authenticated
  // session, and the end of their other sessions when the stage says so.
  await ctx.services.db.execute(sql`
    with touched as (update ${users} set last_login = ${now}::timestamptz where id = ${user.id}),
    ended as (
      delete from ${sessions} where ${ctx.stage.terminateOtherSessions} and session_key in (
        select session_key from ${authenticatedSessions} where user_id = ${user.id} and session_key <> ${key}
      )
    )
    insert into ${authenticatedSessions} (session_key, user_id, last_ip, last_user_agent, last_used, expires, expiring)
    values (${key}, ${user.id}, ${ctx.http.ip ?? ''}, ${ctx.http.userAgent ?? ''}, ${now}::timestamptz, ${expires}::timestamptz, true)
    on conflict do nothing`);
  const context: Record<string, unknown> = {};
  if (ctx.context[PLAN_CONTEXT.METHOD]) {
    context[PLAN_CONTEXT.METHOD] = ctx.context[PLAN_CONTEXT.METHOD];
    context[PLAN_CONTEXT.METHOD_ARGS] = ctx.context[PLAN_CONTEXT.METHOD_ARGS] ?? {};
  }
  if (ctx.context[PLAN_CONTEXT.SOURCE]) context[PLAN_CONTEXT.SOURCE] = ctx.context[PLAN_CONTEXT.SOURCE];
  await recordEvent(ctx.services, { action: 'login', app: 'authentik.stages.user_login', user, request: { ...ctx.http }, context });
  await loginSucceeded(ctx.services, ctx.http.ip, user.username);
  ctx.log.debug({ user: user.username, flow_slug: ctx.flow.slug, session_duration: age }, 'Logged in');
  return next();
}

/** Logs the pending user in; asks "remember me?" first when the stage has a `remember_me_offset`. */
export const userLoginStage: StageType<UserLoginStageRow> = {
  modelName: MODEL,
  formComponent: 'ak-stage-user-login-form',
  verboseName: 'User Login Stage',
  verboseNamePlural: 'User Login Stages',
  description: 'Attaches the currently pending user to the current session.',
  model: userLoginStageModel,
  viewSet: stageTypeViewSet(userLoginStageModel, '/stages/user_login/', {
    session_duration: userLoginStages.sessionDuration,
    terminate_other_sessions: userLoginStages.terminateOtherSessions,
    remember_me_offset: userLoginStages.rememberMeOffset,
  }),
  view: {
    responseSchema: 'UserLoginChallengeResponseRequest',
    async challenge(ctx) {
      if (seconds(ctx.stage.rememberMeOffset) > 0) return { component: 'ak-stage-user-login' };
      return login(ctx, false);
    },
    async respond(ctx, response) {
      return login(ctx, response.remember_me === true);
    },
  },
};
