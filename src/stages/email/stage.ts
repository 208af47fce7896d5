import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { ValidationError } from '../../api/errors.js';
import { defineStageModel } from '../../flows/models.js';
import { stageTypeViewSet } from '../../flows/api.js';
import { deny, invalid, next, PLAN_CONTEXT, type Challenge, type ErrorDetail, type StageContext, type StageResult, type StageType, type UserRow } from '../../flows/stage.js';
import { createFlowToken, QS_KEY_TOKEN, type RestoredFrom } from '../../flows/tokens.js';
import { users } from '../../core/table.js';
import { recordEvent } from '../../events/record.js';
import { emailStages } from './table.js';
import { EmailSendError, globalSmtpSettings, sendEmail, type SmtpSettings } from './mail.js';
import { renderEmail, templateChoices } from './templates.js';
import { TemplateSyntaxError } from './template.js';

type EmailStageRow = typeof emailStages.$inferSelect;

const MODEL = 'authentik_stages_email.emailstage';
/** Set once the first email of this plan went out (authentik's `PLAN_CONTEXT_EMAIL_SENT`). */
export const PLAN_CONTEXT_EMAIL_SENT = 'email_sent';
/** An address to send to instead of the pending user's (authentik's `PLAN_CONTEXT_EMAIL_OVERRIDE`). */
export const PLAN_CONTEXT_EMAIL_OVERRIDE = 'email';

export const emailStageModel = defineStageModel<EmailStageRow>({
  modelName: MODEL,
  verboseName: 'Email Stage',
  verboseNamePlural: 'Email Stages',
  table: emailStages,
  link: emailStages.stagePtrId,
  requestSchema: 'EmailStageRequest',
  fields: {
    use_global_settings: { column: emailStages.useGlobalSettings },
    host: { column: emailStages.host },
    port: { column: emailStages.port },
    username: { column: emailStages.username },
    password: { column: emailStages.password },
    use_tls: { column: emailStages.useTls },
    use_ssl: { column: emailStages.useSsl },
    timeout: { column: emailStages.timeout },
    from_address: { column: emailStages.fromAddress },
    token_expiry: { column: emailStages.tokenExpiry },
    subject: { column: emailStages.subject },
    template: { column: emailStages.template },
    activate_user_on_success: { column: emailStages.activateUserOnSuccess },
  },
  // `password` is write-only: no answer ever carries it.
  serialize: (rows) => rows.map((row) => ({
    use_global_settings: row.useGlobalSettings,
    host: row.host,
    port: row.port,
    username: row.username,
    use_tls: row.useTls,
    use_ssl: row.useSsl,
    timeout: row.timeout,
    from_address: row.fromAddress,
    token_expiry: row.tokenExpiry,
    subject: row.subject,
    template: row.template,
    activate_user_on_success: row.activateUserOnSuccess,
  })),
  validate(data, ctx) {
    if (typeof data.template === 'string' && !templateChoices(ctx.services.config.email.template_dir).some(([name]) => name === data.template)) {
      throw ValidationError.field('template', `Invalid template '${data.template}' specified.`);
    }
  },
});

/** Django's `slugify`: ASCII letters, digits, underscores and hyphens, lowercased. */
function slugify(value: string): string {
  return value.normalize('NFKD').replace(/[^\x00-\x7f]/g, '').toLowerCase().replace(/[^\w\s-]/g, '').replace(/[-\s]+/g, '-').replace(/^[-_]+|[-_]+$/g, '');
}

function smtpSettings(ctx: StageContext<EmailStageRow>): SmtpSettings {
  if (ctx.stage.useGlobalSettings) return globalSmtpSettings(ctx.services.config);
  const stage = ctx.stage;
  return {
    host: stage.host, port: stage.port, username: stage.username, password: stage.password,
    useTls: stage.useTls, useSsl: stage.useSsl, timeout: stage.timeout, from: stage.fromAddress,
  };
}

/** The flow's interface URL with the flow's query (without an old token) and the new token: where the link leads. */
function linkUrl(ctx: StageContext, key: string): string {
  const query = new URLSearchParams(Object.entries(ctx.query).filter(([name]) => name !== QS_KEY_TOKEN));
  query.set(QS_KEY_TOKEN, key);
  return ctx.absoluteUrl(`/if/flow/${encodeURIComponent(ctx.flow.slug)}/?${query.toString()}`);
}

type SendOutcome = { kind: 'sent' } | { kind: 'failed'; error: ErrorDetail } | { kind: 'template_error' };

/**
 * authentik's `send_email`: a flow token keeping the plan (valid `token_expiry` minutes, plus one as authentik
 * adds), the template rendered with the link, the user and the expiry, and the message sent. In a recovery flow
 * an identifier that matched nobody gets no email but the same answer, so the stage tells nothing about who
 * exists.
 */
async function sendFlowEmail(ctx: StageContext<EmailStageRow>, user: UserRow): Promise<SendOutcome> {
  if (!user.id) {
    if (ctx.flow.designation === 'recovery') return { kind: 'sent' };
    ctx.log.warn({ flow_slug: ctx.flow.slug }, 'Email stage without an existing pending user');
    return { kind: 'failed', error: { string: 'No pending user.', code: 'invalid' } };
  }
  const override = ctx.context[PLAN_CONTEXT_EMAIL_OVERRIDE];
  const address = typeof override === 'string' && override ? override : user.email;
  if (!address) return { kind: 'failed', error: { string: 'The user has no email address.', code: 'invalid' } };
  const stage = ctx.stage;
  const expires = new Date(Date.now() + (stage.tokenExpiry + 1) * 60_000);
  const key = await createFlowToken(ctx.services, {
    identifier: slugify(`ak-email-stage-${stage.name}-${randomUUID()}`).slice(-255),
    userId: user.id, flowId: ctx.flow.flowUuid, plan: ctx.planSnapshot(), expires,
  });
  let rendered;
  try {
    rendered = renderEmail(ctx.services.config.email.template_dir, stage.template, {
      url: linkUrl(ctx, key),
      user: { pk: user.id, username: user.username, name: user.name, email: user.email, is_active: user.isActive },
      expires,
    });
  } catch (err) {
    if (!(err instanceof TemplateSyntaxError)) throw err;
    await recordEvent(ctx.services, {
      action: 'configuration_error', app: 'authentik.stages.email', user: ctx.user, request: { ...ctx.http },
      context: { message: 'Exception occurred while rendering E-mail template', error: err.message, template: stage.template },
    });
    return { kind: 'template_error' };
  }
  const settings = smtpSettings(ctx);
  const to = [{ name: user.name, address }];
  try {
    await sendEmail(settings, { to, subject: stage.subject, html: rendered.html, text: rendered.text });
  } catch (err) {
    const safe = err instanceof EmailSendError ? err : new EmailSendError('Failed to send email');
    ctx.log.warn({ stage: stage.name, code: safe.code, response_code: safe.responseCode }, 'failed to send email');
    await recordEvent(ctx.services, {
      action: 'system_task_exception', app: 'authentik.stages.email',
      context: { message: `Task send_mail encountered an error: ${safe.message}`, task: 'send_mail', stage: stage.name },
    });
    return { kind: 'failed', error: { string: `Failed to send email: ${safe.message}`, code: 'email-error' } };
  }
  // authentik also keeps the body; here it would keep a live link, so the event names the message only.
  await recordEvent(ctx.services, {
    action: 'email_sent', app: 'authentik.stages.email',
    context: { message: `Email to ${address} sent`, subject: stage.subject, from_email: settings.from, to_email: [address] },
  });
  return { kind: 'sent' };
}

function emailChallenge(errors?: ErrorDetail[]): Challenge {
  return { component: 'ak-stage-email', ...(errors ? { response_errors: { non_field_errors: errors } } : {}) };
}

/**
 * authentik's `EmailStageView.get`: back from the link (the plan restored from its token), the stage passes for
 * the user the token was made for, activating them if asked; otherwise the email goes out once per plan.
 */
async function challenge(ctx: StageContext<EmailStageRow>): Promise<Challenge | StageResult> {
  const restored = ctx.context[PLAN_CONTEXT.IS_RESTORED] as RestoredFrom | undefined;
  const user = await ctx.pendingUser();
  if (restored) {
    if (!user || restored.user !== user.id) {
      ctx.log.warn({ flow_slug: ctx.flow.slug }, 'Flow token for non-matching user, denying request');
      return deny();
    }
    if (ctx.stage.activateUserOnSuccess && !user.isActive) {
      await ctx.services.db.update(users).set({ isActive: true }).where(eq(users.id, user.id));
      // The row is the pending user's for the rest of this request: the stages after this one see them active.
      user.isActive = true;
    }
    return next();
  }
  if (!ctx.context[PLAN_CONTEXT.PENDING_USER] || !user) {
    ctx.log.debug({ flow_slug: ctx.flow.slug }, 'No pending user');
    return deny();
  }
  if (ctx.context[PLAN_CONTEXT_EMAIL_SENT]) return emailChallenge();
  const outcome = await sendFlowEmail(ctx, user);
  if (outcome.kind === 'template_error') return deny();
  if (outcome.kind === 'failed') return emailChallenge([outcome.error]);
  ctx.context[PLAN_CONTEXT_EMAIL_SENT] = true;
  return emailChallenge();
}

/** Any answer asks for the email again: the stage only passes through the link (authentik's `challenge_invalid`). */
async function respond(ctx: StageContext<EmailStageRow>): Promise<StageResult> {
  const user = await ctx.pendingUser();
  if (!ctx.context[PLAN_CONTEXT.PENDING_USER] || !user) return invalid({ non_field_errors: ['No pending user.'] });
  const outcome = await sendFlowEmail(ctx, user);
  if (outcome.kind === 'template_error') return deny();
  // Sent or not, this plan has tried: showing the challenge again must not send another.
  ctx.context[PLAN_CONTEXT_EMAIL_SENT] = true;
  if (outcome.kind === 'failed') return invalid({ non_field_errors: [outcome.error] });
  return invalid({ non_field_errors: [{ string: 'email-sent', code: 'email-sent' }] });
}

/** Sends the pending user a link back into the flow, which continues when they open it. */
export const emailStage: StageType<EmailStageRow> = {
  modelName: MODEL,
  formComponent: 'ak-stage-email-form',
  verboseName: 'Email Stage',
  verboseNamePlural: 'Email Stages',
  description: 'Sends an Email to the user with a token to confirm their Email address.',
  model: emailStageModel,
  viewSet: {
    ...stageTypeViewSet(emailStageModel, '/stages/email/', {
      use_global_settings: emailStages.useGlobalSettings,
      host: emailStages.host,
      port: emailStages.port,
      username: emailStages.username,
      use_tls: emailStages.useTls,
      use_ssl: emailStages.useSsl,
      timeout: emailStages.timeout,
      from_address: emailStages.fromAddress,
      token_expiry: emailStages.tokenExpiry,
      subject: emailStages.subject,
      template: emailStages.template,
      activate_user_on_success: emailStages.activateUserOnSuccess,
    }),
    actions: [{
      method: 'GET', path: 'templates', detail: false,
      handler: async (ctx) => templateChoices(ctx.services.config.email.template_dir)
        .map(([name, description]) => ({ name, description, component: '', model_name: '' })),
    }],
  },
  view: { responseSchema: 'EmailChallengeResponseRequest', challenge, respond },
};
