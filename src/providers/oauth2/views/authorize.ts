import { eq } from 'drizzle-orm';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../../../api/context.js';
import { isSuperuser } from '../../../core/users-logic.js';
import { users } from '../../../core/table.js';
import { flows } from '../../../flows/table.js';
import { FlowSession } from '../../../flows/session.js';
import { FlowNonApplicableError, planFlow } from '../../../flows/plan.js';
import { SESSION_KEY_PLAN } from '../../../flows/executor.js';
import { registerInMemoryStage } from '../../../flows/registry.js';
import { deny, type StageContext, type StageView } from '../../../flows/stage.js';
import { policyHttpRequest } from '../../../policies/http.js';
import {
  PLAN_CONTEXT_APPLICATION, PLAN_CONTEXT_CONSENT_HEADER, PLAN_CONTEXT_CONSENT_PERMISSIONS, PLAN_CONTEXT_PARAMS, PLAN_CONTEXT_SSO,
  PROMPT_CONSENT, PROMPT_LOGIN, PROMPT_NONE, SESSION_KEY_LAST_LOGIN_UID,
} from '../constants.js';
import { AuthorizeError, AuthorizePageError } from '../errors.js';
import { params as requestParams } from '../http.js';
import { parseAuthorization, type AuthorizationParams } from '../authorize-params.js';
import { errorResult, fulfillAuthorization, type AuthorizationResult } from '../authorize-response.js';
import { checkApplicationAccess } from '../access.js';
import { lastLogin } from '../id-token.js';
import { loadProvider, type LoadedProvider } from '../provider-cache.js';
import { sendPage } from '../pages.js';
import { inMemoryConsentBinding } from '../consent-stage.js';
import { providerLoginUrl } from '../session-user.js';

export const FULFILLMENT_STAGE = 'authentik_providers_oauth2.oauthfulfillmentstage';

/** The fastify answer for a result: a redirect, or a page that POSTs the values (form_post). */
function sendResult(reply: FastifyReply, result: AuthorizationResult) {
  if (result.kind === 'redirect') return reply.code(302).header('location', result.url).header('cache-control', 'no-store').send();
  const escape = (v: string) => v.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
  const inputs = Object.entries(result.attrs).map(([k, v]) => `<input type="hidden" name="${escape(k)}" value="${escape(v)}">`).join('');
  return reply.code(200).header('cache-control', 'no-store').type('text/html; charset=utf-8')
    .send(`<!DOCTYPE html><html><body onload="document.forms[0].submit()"><form method="post" action="${escape(result.url)}">${inputs}<noscript><button type="submit">Continue</button></noscript></form></body></html>`);
}

/** The result as the flow executor answers it: a redirect challenge, or authentik's autosubmit challenge. */
function resultChallenge(result: AuthorizationResult, appName: string) {
  if (result.kind === 'redirect') return { type: 'redirect' as const, component: 'xak-flow-redirect', to: result.url };
  return { component: 'ak-stage-autosubmit', title: `Redirecting to ${appName}...`, url: result.url, attrs: result.attrs };
}

/** authentik's `get_scope_descriptions`: what the consent stage lists. */
function scopeDescriptions(provider: LoadedProvider, scope: string[]) {
  return provider.scopes.filter((m) => scope.includes(m.scopeName) && m.description).map((m) => ({ id: m.scopeName, name: m.description }));
}

function applicationContext(provider: LoadedProvider) {
  const app = provider.application!;
  return { pk: app.pbmUuid, slug: app.slug, name: app.name, provider: provider.row.id, meta_launch_url: app.metaLaunchUrl, group: app.group };
}

/**
 * `GET|POST /application/o/authorize/` (authentik's `AuthorizationFlowInitView`): checks the request, the user's
 * login (prompt, max_age) and their access to the application, then plans the provider's authorization flow with
 * the request in its context and the fulfillment stage at its end, and sends the browser to it.
 */
export const authorizeView = (services: Services) => async (request: FastifyRequest, reply: FastifyReply) => {
  const query = requestParams(request);
  if (!Object.keys(query).length) return sendPage(reply, 404, 'Not found', 'Not found.');
  let parsed: { params: AuthorizationParams; provider: LoadedProvider };
  try {
    parsed = await parseAuthorization(services, query);
  } catch (err) {
    if (err instanceof AuthorizePageError) return sendPage(reply, 400, err.title, err.description);
    if (err instanceof AuthorizeError) return sendResult(reply, errorResult(err, query.response_mode === 'form_post' ? 'form_post' : query.response_type === 'code' || !query.response_type ? 'query' : 'fragment'));
    throw err;
  }
  const { params, provider } = parsed;
  const session = await FlowSession.open(services, request);
  const sendBack = (error: string) => sendResult(reply, errorResult(new AuthorizeError(params.redirectUri, error, params.grantType, params.state ?? undefined), params.responseMode));
  const here = `/application/o/authorize/?${new URLSearchParams(query).toString()}`;
  const userId = session.userId;
  const [user] = userId ? await services.db.select().from(users).where(eq(users.id, userId)).limit(1) : [];
  /** Sends the user to log in (the provider's authentication flow, else the tenant's) and back here. */
  const toLogin = async () => {
    const login = await providerLoginUrl(services, provider, session, here);
    await session.save();
    session.applyCookies(request, reply);
    return reply.redirect(login);
  };
  if (!user || !user.isActive) {
    if (params.prompt.includes(PROMPT_NONE)) return sendBack('login_required');
    return toLogin();
  }
  const application = provider.application;
  if (!application) return sendPage(reply, 400, 'Configuration error', 'The provider is not assigned to an application.');
  const access = await checkApplicationAccess(services, application, user, request, {
    oauth_scopes: params.scope, oauth_grant_type: params.grantType, oauth_code_challenge: params.codeChallenge,
    oauth_code_challenge_method: params.codeChallengeMethod, oauth_max_age: params.maxAge, oauth_redirect_uri: params.redirectUri,
    oauth_response_type: params.responseType,
  });
  if (!access.passing) return sendPage(reply, 403, 'Permission denied', access.messages.join('\n') || 'You do not have permission to access this application.');
  const login = await lastLogin(services, user.id);
  const reauthenticate = async () => {
    if (params.prompt.includes(PROMPT_NONE)) return sendBack('login_required');
    if (login) session.set(SESSION_KEY_LAST_LOGIN_UID, login.uuid);
    return toLogin();
  };
  if (params.maxAge !== null && (!login || Date.now() - login.created.getTime() > params.maxAge * 1000)) return reauthenticate();
  if (params.prompt.includes(PROMPT_LOGIN)) {
    const previous = session.get(SESSION_KEY_LAST_LOGIN_UID);
    if (previous === undefined || previous === login?.uuid) return reauthenticate();
  }
  session.delete(SESSION_KEY_LAST_LOGIN_UID);
  const flowId = provider.row.authorizationFlow;
  const [flow] = flowId ? await services.db.select().from(flows).where(eq(flows.flowUuid, flowId)).limit(1) : [];
  if (!flow) return sendPage(reply, 400, 'Configuration error', 'The provider has no authorization flow.');
  let plan;
  try {
    plan = await planFlow({
      services, flow, user, isSuperuser: await isSuperuser(services.db, user.id), http: policyHttpRequest(request, session.key),
    }, {
      allowEmpty: true,
      context: {
        [PLAN_CONTEXT_SSO]: true,
        [PLAN_CONTEXT_APPLICATION]: applicationContext(provider),
        [PLAN_CONTEXT_PARAMS]: params,
        [PLAN_CONTEXT_CONSENT_HEADER]: `You're about to sign into ${application.name}.`,
        [PLAN_CONTEXT_CONSENT_PERMISSIONS]: scopeDescriptions(provider, params.scope),
      },
    });
  } catch (err) {
    if (err instanceof FlowNonApplicableError) return sendPage(reply, 403, 'Permission denied', err.messages);
    throw err;
  }
  const consent = params.prompt.includes(PROMPT_CONSENT) ? inMemoryConsentBinding(plan.bindings) : undefined;
  if (consent) plan.bindings.push(consent);
  plan.bindings.push({
    fsbUuid: crypto.randomUUID(), pbmUuid: crypto.randomUUID(), stageUuid: crypto.randomUUID(), stageModel: FULFILLMENT_STAGE,
    order: Number.MAX_SAFE_INTEGER, policyEngineMode: 'any', invalidResponseAction: 'retry', reEvaluate: false,
  });
  session.set(SESSION_KEY_PLAN, plan);
  await session.save();
  session.applyCookies(request, reply);
  return reply.redirect(`/if/flow/${encodeURIComponent(flow.slug)}/?${new URLSearchParams(query).toString()}`);
};

/** authentik's `OAuthFulfillmentStage`: the last step of the authorization flow issues the code or tokens. */
const fulfillmentStage: StageView = {
  async challenge(ctx: StageContext) {
    const params = ctx.context[PLAN_CONTEXT_PARAMS] as AuthorizationParams | undefined;
    const application = ctx.context[PLAN_CONTEXT_APPLICATION] as { provider?: number; name?: string } | undefined;
    if (!params || !application?.provider || !ctx.user) return deny();
    const provider = await loadProvider(ctx.services, application.provider);
    if (!provider || provider.row.clientId !== params.clientId) return deny();
    // The plan ends here: reloading the page must not mint another code.
    ctx.session.delete(SESSION_KEY_PLAN);
    const result = await fulfillAuthorization({
      services: ctx.services, provider, params, user: ctx.user, sessionKey: ctx.http.sessionKey, flowPk: ctx.flow.flowUuid,
    });
    return resultChallenge(result, application.name ?? '');
  },
};

registerInMemoryStage(FULFILLMENT_STAGE, 'OAuth2 Fulfillment Stage', fulfillmentStage);
