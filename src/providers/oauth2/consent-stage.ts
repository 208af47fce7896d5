import { randomUUID } from 'node:crypto';
import type { PlannedBinding } from '../../flows/plan.js';
import { registerInMemoryStage, stageTypeFor } from '../../flows/registry.js';
import { deny, type StageContext, type StageView } from '../../flows/stage.js';

/** The consent stage's model: a plan that has one already asks for consent. */
export const CONSENT_STAGE_MODEL = 'authentik_stages_consent.consentstage';
export const IN_MEMORY_CONSENT_STAGE = 'authentik_providers_oauth2.inmemoryconsentstage';

/** The consent stage's view, run as a stage that always asks (authentik's in-memory `ConsentStage`, `always_require`). */
function alwaysRequire(ctx: StageContext): StageContext {
  return { ...ctx, stage: { ...ctx.stage, mode: 'always_require', consentExpireIn: 'weeks=4' } };
}

const consentView = () => stageTypeFor(CONSENT_STAGE_MODEL)?.view;

const inMemoryConsent: StageView = {
  responseSchema: 'ConsentChallengeResponseRequest',
  async challenge(ctx) {
    const view = consentView();
    return view ? view.challenge(alwaysRequire(ctx)) : deny();
  },
  async respond(ctx, response) {
    const view = consentView();
    return view?.respond ? view.respond(alwaysRequire(ctx), response) : deny();
  },
};

registerInMemoryStage(IN_MEMORY_CONSENT_STAGE, 'OAuth2 Provider In-memory consent stage', inMemoryConsent);

/**
 * `prompt=consent` (also implied by `offline_access`) asks the user even when the authorization flow has no
 * consent stage: one that always asks is put at the end of the plan, before the fulfillment, as authentik does.
 */
export function inMemoryConsentBinding(bindings: PlannedBinding[]): PlannedBinding | undefined {
  if (bindings.some((b) => b.stageModel === CONSENT_STAGE_MODEL)) return undefined;
  return {
    fsbUuid: randomUUID(), pbmUuid: randomUUID(), stageUuid: randomUUID(), stageModel: IN_MEMORY_CONSENT_STAGE,
    order: Number.MAX_SAFE_INTEGER, policyEngineMode: 'any', invalidResponseAction: 'retry', reEvaluate: false,
  };
}
