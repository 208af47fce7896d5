import { defineStageModel } from '../../flows/models.js';
import { stageTypeViewSet } from '../../flows/api.js';
import { invalid, next, type StageType } from '../../flows/stage.js';
import { captchaStages } from './table.js';
import { verifyCaptchaToken } from './verify.js';

type CaptchaStageRow = typeof captchaStages.$inferSelect;

const MODEL = 'authentik_stages_captcha.captchastage';

export const captchaStageModel = defineStageModel<CaptchaStageRow>({
  modelName: MODEL,
  verboseName: 'Captcha Stage',
  verboseNamePlural: 'Captcha Stages',
  table: captchaStages,
  link: captchaStages.stagePtrId,
  requestSchema: 'CaptchaStageRequest',
  fields: {
    public_key: { column: captchaStages.publicKey },
    private_key: { column: captchaStages.privateKey },
    js_url: { column: captchaStages.jsUrl },
    api_url: { column: captchaStages.apiUrl },
  },
  // `private_key` is write-only: no answer ever carries it.
  serialize: (rows) => rows.map((row) => ({ public_key: row.publicKey, js_url: row.jsUrl, api_url: row.apiUrl })),
});

/** Shows the provider's widget (reCAPTCHA, hCaptcha, Turnstile) and has its token verified server-side. */
export const captchaStage: StageType<CaptchaStageRow> = {
  modelName: MODEL,
  formComponent: 'ak-stage-captcha-form',
  verboseName: 'Captcha Stage',
  verboseNamePlural: 'Captcha Stages',
  description: 'Verify the user is human using Google\'s reCaptcha.',
  model: captchaStageModel,
  viewSet: stageTypeViewSet(captchaStageModel, '/stages/captcha/', { public_key: captchaStages.publicKey }),
  view: {
    responseSchema: 'CaptchaChallengeResponseRequest',
    async challenge(ctx) {
      return { component: 'ak-stage-captcha', site_key: ctx.stage.publicKey, js_url: ctx.stage.jsUrl };
    },
    async respond(ctx, response) {
      const verdict = await verifyCaptchaToken(ctx.stage.apiUrl, ctx.stage.privateKey, String(response.token), ctx.http.ip);
      if (!verdict.ok) {
        ctx.log.info({ flow_slug: ctx.flow.slug, stage: ctx.stage.name, reason: verdict.message }, 'captcha token not verified');
        return invalid({ token: [verdict.message] });
      }
      return next();
    },
  },
};
