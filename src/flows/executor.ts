import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Principal, Services } from '../api/context.js';
import type { Json } from '../api/model.js';
import { authenticate } from '../api/auth.js';
import { NotFound, ValidationError } from '../api/errors.js';
import { selectRows } from '../api/inheritance.js';
import { validateRequest } from '../api/contract/validation.js';
import { loadSchemaDocument } from '../api/contract/document.js';
import { users } from '../core/table.js';
import { avatarFor } from '../core/users/avatar.js';
import { policyHttpRequest } from '../policies/http.js';
import type { PolicyHttpRequest } from '../policies/types.js';
import { recordEvent } from '../events/record.js';
import { stages } from './table.js';
import { configSnapshot, throughSnapshot } from '../db/snapshot.js';
import { inMemoryStageFor, stageTypeFor } from './registry.js';
import { backgroundUrl, flowBySlug } from './models.js';
import { FlowSession } from './session.js';
import {
  EmptyFlowError, FlowNonApplicableError, loadPendingUser, nextBinding, planFlow, type FlowPlan, type PlanRequest, type PlannedBinding,
} from './plan.js';
import {
  PLAN_CONTEXT, responseErrors, type Challenge, type FlowRow, type ResponseErrors, type StageContext, type StageResult, type StageSession,
  type StageType, type UserRow,
} from './stage.js';
import { sameSiteUrl } from './urls.js';
import { QS_KEY_TOKEN, restoreFlowToken } from './tokens.js';

export const SESSION_KEY_PLAN = 'authentik/flows/plan';
export const SESSION_KEY_GET = 'authentik/flows/get';
export const SESSION_KEY_HISTORY = 'authentik/flows/history';
const HISTORY_LENGTH = 20;
const DEFAULT_AVATAR = '/static/dist/assets/images/user_default.png';
export const CANCEL_URL = '/flows/-/cancel/';

/** What the executor answers: a challenge (200) or a redirect to itself (302), as authentik's executor does. */
export interface ExecutorResponse {
  status: number;
  body?: Json;
  location?: string;
}

let userInfoComponents: Set<string> | undefined;

/** Challenges whose schema carries `pending_user` (authentik's `WithUserInfoChallenge`). */
function needsUserInfo(component: string): boolean {
  if (!userInfoComponents) {
    userInfoComponents = new Set();
    const schemas = loadSchemaDocument().components.schemas;
    const mapping = ((schemas.ChallengeTypes as { discriminator?: { mapping?: Record<string, string> } }).discriminator?.mapping) ?? {};
    for (const [name, ref] of Object.entries(mapping)) {
      const schema = schemas[ref.split('/').pop() ?? ''] as { properties?: Record<string, unknown> } | undefined;
      if (schema?.properties && 'pending_user' in schema.properties) userInfoComponents.add(name);
    }
  }
  return userInfoComponents.has(component);
}

/** A query string as a flat record (Django's QueryDict keeps the last value of a key). */
export function parseQuery(raw: string): Record<string, string> {
  return Object.fromEntries(new URLSearchParams(raw));
}

/** Python's `%(name)s` formatting of a flow title; a title that does not format is shown as it is. */
function formatTitle(title: string, values: Record<string, string>): string {
  let failed = false;
  const out = title.replace(/%(?:\(([^)]*)\)s|%)/g, (match, name: string | undefined) => {
    if (match === '%%') return '%';
    if (name === undefined || !(name in values)) {
      failed = true;
      return match;
    }
    return values[name];
  });
  return failed ? title : out;
}

/** Which user the plan's `pending_user` names: the row cached for it is the same whichever backend authenticated them. */
function pendingUserKey(context: Record<string, unknown>): string {
  const pending = context[PLAN_CONTEXT.PENDING_USER] as { pk?: unknown; username?: unknown } | undefined;
  if (!pending) return '';
  return pending.pk === null || pending.pk === undefined ? `new:${String(pending.username)}` : `pk:${String(pending.pk)}`;
}

export class FlowExecutor {
  private flow!: FlowRow;
  private principal: Principal | undefined;
  private user: UserRow | null = null;
  private session!: FlowSession;
  private plan: FlowPlan | undefined;
  private binding: PlannedBinding | undefined;
  private query: Record<string, string> = {};
  private http!: PolicyHttpRequest;
  /** A stage logged a user in or out during this request. */
  private userChanged = false;

  constructor(
    private services: Services,
    private readonly request: FastifyRequest,
    private readonly reply: FastifyReply,
  ) {}

  /** The executor's own URL with the request's query string: where a passed stage redirects to. */
  private get selfUrl(): string {
    const index = this.request.url.indexOf('?');
    return `/api/v3/flows/executor/${encodeURIComponent(this.flow.slug)}/${index >= 0 ? this.request.url.slice(index) : ''}`;
  }

  private planRequest(): PlanRequest {
    return {
      services: this.services, flow: this.flow, user: this.user, isSuperuser: Boolean(this.principal?.isSuperuser), http: this.http,
      pendingUserRow: (context) => this.pendingUserRow(context),
    };
  }

  /** Runs one GET or POST of the executor; the session is saved and its cookies set whatever happens. */
  async dispatch(slug: string, method: 'GET' | 'POST'): Promise<ExecutorResponse> {
    // One query tells whether the configuration changed; flows, bindings, policies and stages then come from memory.
    this.services = { ...this.services, snapshot: await configSnapshot(this.services.database) };
    const flow = await flowBySlug(this.services, slug);
    if (!flow) throw new NotFound();
    this.flow = flow;
    this.session = await FlowSession.open(this.services, this.request);
    // An anonymous session without a token is the common case (every login): no need to look for a principal.
    if (this.request.headers.authorization || this.session.userId !== undefined) {
      this.principal = await authenticate(this.services, this.request);
    }
    if (this.principal) {
      const [user] = await this.services.db.select().from(users).where(eq(users.id, this.principal.id)).limit(1);
      this.user = user ?? null;
    }
    this.http = policyHttpRequest(this.request, this.session.key);
    try {
      return await this.run(method);
    } finally {
      await this.session.save();
      this.session.applyCookies(this.request, this.reply);
    }
  }

  private async run(method: 'GET' | 'POST'): Promise<ExecutorResponse> {
    this.query = parseQuery(String((this.request.query as Record<string, unknown>).query ?? ''));
    // A link with a flow token (an email stage's) resumes the plan kept behind it, in this session.
    if (this.query[QS_KEY_TOKEN]) {
      const restored = await restoreFlowToken(this.services, this.query[QS_KEY_TOKEN]);
      if (restored) this.session.set(SESSION_KEY_PLAN, restored);
    }
    const stored = this.session.get(SESSION_KEY_PLAN) as FlowPlan | undefined;
    if (stored && stored.flowPk === this.flow.flowUuid && Array.isArray(stored.bindings)) {
      this.plan = stored;
    } else if (stored) {
      this.services.log.warn({ flow_slug: this.flow.slug }, 'f(exec): Found existing plan for other flow, deleting plan');
      this.cancel();
    }
    this.session.set(SESSION_KEY_GET, this.query);
    if (!this.plan) {
      this.session.set(SESSION_KEY_HISTORY, []);
      try {
        this.plan = await planFlow(this.planRequest());
        this.storePlan();
      } catch (err) {
        if (err instanceof FlowNonApplicableError) return this.handleInvalidFlow(err);
        if (err instanceof EmptyFlowError) return this.flowDone();
        throw err;
      }
    }
    try {
      return await this.runNextStage(method);
    } catch (err) {
      return this.flowError(err);
    }
  }

  /** The plan's next stage: its challenge (GET), or its answer to the request's body (POST). */
  private async runNextStage(method: 'GET' | 'POST'): Promise<ExecutorResponse> {
    this.binding = await nextBinding(this.planRequest(), this.plan!);
    if (!this.binding) return this.flowDone();
    const type = stageTypeFor(this.binding.stageModel) ?? inMemoryStageFor(this.binding.stageModel);
    const row = type?.inMemory ? { stageUuid: this.binding.stageUuid, name: type.verboseName, model: type.modelName } : type ? await this.loadStage(type, this.binding.stageUuid) : undefined;
    if (!type || !row) return this.stageInvalid();
    const ctx = this.stageContext(row);
    if (method === 'GET') {
      const outcome = await type.view.challenge(ctx);
      return 'kind' in outcome && !('component' in outcome) ? this.handleResult(outcome as StageResult, type, ctx) : this.challengeResponse(outcome as Challenge);
    }
    return this.solve(type, ctx);
  }

  private async loadStage(type: StageType, stageUuid: string): Promise<Json | undefined> {
    return throughSnapshot(this.services, `stage:${stageUuid}`, async () => {
      const rows = (await selectRows(this.services.db, type.model).where(eq(stages.stageUuid, stageUuid)).limit(1)) as Json[];
      return rows[0];
    });
  }

  private async solve(type: StageType, ctx: StageContext): Promise<ExecutorResponse> {
    if (!type.view.respond) {
      // A stage that only acts (authentik's plain `StageView`) does on POST what it does on GET.
      const outcome = await type.view.challenge(ctx);
      return 'kind' in outcome && !('component' in outcome) ? this.handleResult(outcome as StageResult, type, ctx) : this.challengeResponse(outcome as Challenge);
    }
    let body: Json;
    try {
      body = type.view.responseSchema ? validateRequest(type.view.responseSchema, this.request.body ?? {}) : ((this.request.body as Json) ?? {});
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      const errors = responseErrors(err.fields);
      const override = await type.view.onInvalid?.(ctx, errors);
      return this.handleResult(override ?? { kind: 'invalid', errors }, type, ctx);
    }
    return this.handleResult(await type.view.respond(ctx, body), type, ctx);
  }

  private async handleResult(result: StageResult, type: StageType, ctx: StageContext): Promise<ExecutorResponse> {
    switch (result.kind) {
      case 'next':
        return this.stageOk();
      case 'deny':
        return this.stageInvalid(result.message);
      case 'invalid': {
        const action = this.binding?.invalidResponseAction ?? 'retry';
        if (!result.retryOnly && action !== 'retry') return this.restartFlow(action === 'restart_with_context');
        const challenge = await type.view.challenge(ctx);
        if ('kind' in challenge && !('component' in challenge)) return this.handleResult(challenge as StageResult, type, ctx);
        return this.challengeResponse(challenge as Challenge, result.errors);
      }
      default:
        throw new Error('unknown stage result');
    }
  }

  private stageContext(row: Json): StageContext {
    const plan = this.plan!;
    const session = this.session;
    const stageSession: StageSession = {
      get: (key) => session.get(key),
      set: (key, value) => session.set(key, value),
      delete: (key) => session.delete(key),
      login: async (user, ageSeconds) => {
        this.userChanged = true;
        this.storePlan();
        const key = await session.login(user.id, ageSeconds, [SESSION_KEY_PLAN, SESSION_KEY_GET, SESSION_KEY_HISTORY]);
        this.http = { ...this.http, sessionKey: key };
        return key;
      },
      logout: async () => {
        this.userChanged = true;
        await session.logout([SESSION_KEY_PLAN, SESSION_KEY_GET, SESSION_KEY_HISTORY]);
        this.http = { ...this.http, sessionKey: undefined };
      },
    };
    const query = new URLSearchParams(this.query).toString();
    return {
      services: this.services,
      log: this.services.log,
      flow: this.flow,
      stage: row as StageContext['stage'],
      context: plan.context,
      user: this.user,
      http: this.http,
      query: this.query,
      session: stageSession,
      pendingUser: async () => (await this.pendingUserRow(plan.context)) ?? this.user,
      setPendingUser: (user, backend) => {
        plan.context[PLAN_CONTEXT.PENDING_USER] = { pk: user.id || null, username: user.username, email: user.email, ...(backend ? { backend } : {}) };
        // The stage has just read or written this row: later stages of this request need not read it again.
        this.pendingCache = { key: pendingUserKey(plan.context), row: user };
      },
      flowInterfaceUrl: (slug) => `/if/flow/${encodeURIComponent(slug)}/${query ? `?${query}` : ''}`,
      absoluteUrl: (path) => new URL(path, `${this.request.protocol}://${this.request.host}`).toString(),
      planSnapshot: () => structuredClone(plan),
      insertStageNext: (stage) => {
        plan.bindings.splice(1, 0, {
          fsbUuid: randomUUID(), pbmUuid: randomUUID(), stageUuid: stage.stageUuid, stageModel: stage.model,
          order: 0, policyEngineMode: 'any', invalidResponseAction: 'retry', reEvaluate: false,
        });
      },
    };
  }

  private storePlan(): void {
    if (this.plan) this.session.set(SESSION_KEY_PLAN, this.plan);
  }

  /** authentik's `cancel`: the plan and the query go; the history stays for the inspector. */
  private cancel(): void {
    this.session.delete(SESSION_KEY_PLAN);
    this.session.delete(SESSION_KEY_GET);
  }

  private pendingCache: { key: string; row: UserRow | undefined } | undefined;

  /**
   * The pending user's row for policies, stages and display, read once per request unless the context names
   * another user: the stages one request runs take a few milliseconds, and a stage that writes the user hands
   * the written row to `setPendingUser` (or changes the row it was given).
   */
  private async pendingUserRow(context: Record<string, unknown>): Promise<UserRow | undefined> {
    const key = pendingUserKey(context);
    if (this.pendingCache?.key !== key) this.pendingCache = { key, row: await loadPendingUser(this.services, context) };
    return this.pendingCache.row;
  }

  /** The user a challenge is about, for display: what was typed, the pending user, or the request's user. */
  private async displayUser(): Promise<{ username: string; avatar: string }> {
    const context = this.plan?.context ?? {};
    const identifier = context[PLAN_CONTEXT.PENDING_USER_IDENTIFIER];
    const avatars = this.services.config.avatars;
    if (typeof identifier === 'string') {
      return { username: identifier, avatar: avatarFor(avatars, { username: identifier, name: '', email: '', attributes: {} }) };
    }
    const user = (await this.pendingUserRow(context)) ?? this.user;
    if (!user) return { username: '', avatar: DEFAULT_AVATAR };
    return { username: user.username, avatar: avatarFor(avatars, user) };
  }

  private async flowInfo(): Promise<Json> {
    const context = this.plan?.context ?? {};
    const application = context[PLAN_CONTEXT.APPLICATION];
    const app = application && typeof application === 'object' ? String((application as Json).name ?? '') : String(application ?? '');
    return {
      title: formatTitle(this.flow.title, { app, user: (await this.displayUser()).username }),
      background: backgroundUrl(this.flow),
      cancel_url: CANCEL_URL,
      layout: this.flow.layout,
    };
  }

  private async challengeResponse(challenge: Challenge, errors?: ResponseErrors): Promise<ExecutorResponse> {
    const body: Json = { type: 'native', ...challenge, flow_info: await this.flowInfo() };
    if (errors) body.response_errors = errors;
    if (needsUserInfo(challenge.component)) {
      const display = await this.displayUser();
      body.pending_user = display.username;
      body.pending_user_avatar = display.avatar;
    }
    return { status: 200, body };
  }

  /** authentik's `to_stage_response` for a redirect: to itself as a real redirect, anywhere else as a challenge. */
  private redirect(to: string): ExecutorResponse {
    if (to === this.request.url) return { status: 302, location: to };
    return { status: 200, body: { type: 'redirect', component: 'xak-flow-redirect', to } };
  }

  private async stageOk(): Promise<ExecutorResponse> {
    const plan = this.plan!;
    const history = (this.session.get(SESSION_KEY_HISTORY) as FlowPlan[] | undefined) ?? [];
    this.session.set(SESSION_KEY_HISTORY, [...history, structuredClone(plan)].slice(-HISTORY_LENGTH));
    plan.bindings.shift();
    this.storePlan();
    if (!plan.bindings.length) return this.flowDone();
    // authentik redirects to the executor here and the client follows with a GET, a round trip per passed
    // stage. Answering what that GET would answer gives every client (the web UI's fetch, outposts' API
    // clients) the same challenge one round trip sooner. Not after a login or logout in this request: the next
    // stage's policies must see the request's new user, which only a new request carries.
    if (this.userChanged) return { status: 302, location: this.selfUrl };
    return this.runNextStage('GET');
  }

  private async flowDone(): Promise<ExecutorResponse> {
    const redirect = this.plan?.context[PLAN_CONTEXT.REDIRECT];
    if (typeof redirect === 'string' && redirect) {
      // Only authentik itself or an admin's expression policy sets `redirect`: it may leave the site.
      this.cancel();
      return this.redirect(redirect);
    }
    const target = this.query.next ?? '/';
    this.cancel();
    const safe = sameSiteUrl(target, this.request);
    if (safe) return this.redirect(safe);
    return this.stageInvalid('Invalid next URL');
  }

  /** authentik's `stage_invalid`: restart when the binding says so, else end the flow with access denied. */
  private async stageInvalid(message?: string): Promise<ExecutorResponse> {
    const action = this.binding?.invalidResponseAction;
    if (action === 'restart' || action === 'restart_with_context') return this.restartFlow(action === 'restart_with_context');
    this.cancel();
    const body: Json = { type: 'native', component: 'ak-stage-access-denied', flow_info: await this.flowInfo() };
    if (message) body.error_message = message;
    const display = await this.displayUser();
    body.pending_user = display.username;
    body.pending_user_avatar = display.avatar;
    return { status: 200, body };
  }

  private async restartFlow(keepContext: boolean): Promise<ExecutorResponse> {
    const context = keepContext && this.plan ? this.plan.context : {};
    try {
      this.plan = await planFlow(this.planRequest(), { context, useCache: false });
    } catch (err) {
      if (err instanceof FlowNonApplicableError) return this.handleInvalidFlow(err);
      if (err instanceof EmptyFlowError) return this.flowDone();
      throw err;
    }
    this.storePlan();
    return { status: 302, location: this.selfUrl };
  }

  /** The flow does not apply: continue to `next` or `/` when `denied_action` says so, else access denied. */
  private async handleInvalidFlow(err: FlowNonApplicableError): Promise<ExecutorResponse> {
    const action = this.flow.deniedAction;
    if (action === 'continue' || action === 'message_continue') {
      const safe = this.query.next ? sameSiteUrl(this.query.next, this.request) : undefined;
      if (safe) return this.redirect(safe);
    }
    if (action === 'continue') return this.redirect('/');
    this.binding = undefined;
    return this.stageInvalid(err.messages);
  }

  /** An unexpected error: logged and recorded, shown as `ak-stage-flow-error` without any detail. */
  private async flowError(err: unknown): Promise<ExecutorResponse> {
    const message = err instanceof Error ? err.message : String(err);
    this.services.log.warn({ err: { message }, flow_slug: this.flow.slug }, 'f(exec): stage failed');
    try {
      await recordEvent(this.services, {
        action: 'system_exception', app: 'authentik.flows', user: this.user, request: this.request,
        context: { message: 'System exception during flow execution.', flow: this.flow.slug },
      });
    } catch (eventErr) {
      this.services.log.warn({ err: { message: (eventErr as Error).message } }, 'failed to record flow exception');
    }
    return {
      status: 200,
      body: { type: 'native', component: 'ak-stage-flow-error', flow_info: await this.flowInfo(), request_id: String(this.request.id) },
    };
  }
}
