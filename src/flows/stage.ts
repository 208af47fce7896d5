import type { Logger } from 'pino';
import type { Services } from '../api/context.js';
import type { Json, ModelDefinition } from '../api/model.js';
import type { ViewSet } from '../api/viewset.js';
import type { users } from '../core/table.js';
import type { PolicyHttpRequest } from '../policies/types.js';
import type { flows, stages } from './table.js';
import type { FlowPlan } from './plan.js';

/**
 * The stage contract. A stage type lives in its own folder (`src/stages/<name>/`) and lists a `StageType` in its
 * domain manifest (`stages: [...]`); the flow executor finds it by the stage row's model name.
 *
 * The executor owns HTTP, the session, the plan and redirects. A stage only sees a `StageContext`:
 * - `challenge(ctx)` is called when the stage is shown (GET). It returns the stage's own challenge fields
 *   (`component` and what the schema's `…Challenge` adds); the executor adds `type` ("native" unless given),
 *   `flow_info`, and `pending_user`/`pending_user_avatar` when the challenge's schema has them. A stage that acts
 *   without asking (user_logout, deny) returns a `StageResult` instead.
 * - `respond(ctx, response)` gets the POSTed body, already validated against `responseSchema` (a schema
 *   `…ChallengeResponseRequest`; on failure the challenge is shown again with `response_errors`), and returns
 *   `next()` (the stage passed, the plan advances), `invalid(errors)` (the challenge is shown again with
 *   `response_errors`), or `deny(message)` (the flow ends with `ak-stage-access-denied`).
 * - Changes to `ctx.context` (authentik's plan context) are kept with the plan; values must be JSON.
 */

export type UserRow = typeof users.$inferSelect;
export type FlowRow = typeof flows.$inferSelect;
export type StageRow = typeof stages.$inferSelect;

/** The plan context keys authentik's stages and policies share (authentik's `PLAN_CONTEXT_*`). */
export const PLAN_CONTEXT = {
  PENDING_USER: 'pending_user',
  PENDING_USER_IDENTIFIER: 'pending_user_identifier',
  PROMPT: 'prompt_data',
  APPLICATION: 'application',
  REDIRECT: 'redirect',
  SSO: 'is_sso',
  SOURCE: 'source',
  AUTHENTICATION_BACKEND: 'user_backend',
  METHOD: 'auth_method',
  METHOD_ARGS: 'auth_method_args',
  IS_RESTORED: 'is_restored',
} as const;

/**
 * The user a flow is about (`pending_user`), as kept in the plan context. `pk` is null for a user that does not
 * exist (identification's `pretend_user_exists`). `backend` is set once a backend authenticated them (authentik's
 * `user.backend`, which the default authentication flow's policy looks for).
 */
export interface PendingUser {
  pk: number | null;
  username: string;
  email: string;
  backend?: string;
}

/** One entry of `response_errors`, as DRF's `ErrorDetail`. */
export interface ErrorDetail {
  string: string;
  code: string;
}

export type ResponseErrors = Record<string, ErrorDetail[]>;

/** A challenge as a stage returns it: its component and own fields. */
export interface Challenge {
  component: string;
  type?: 'native' | 'shell' | 'redirect';
  [field: string]: unknown;
}

export type StageResult =
  | { kind: 'next' }
  | { kind: 'invalid'; errors: ResponseErrors; retryOnly?: boolean }
  | { kind: 'deny'; message?: string };

export const next = (): StageResult => ({ kind: 'next' });

/**
 * The response was not acceptable: the challenge is shown again with `errors` (field → messages or details).
 * Unless `retryOnly`, the binding's `invalid_response_action` applies first (restart the flow) as authentik does
 * for responses that fail validation; `retryOnly` is for checks after validation (a wrong password).
 */
export function invalid(errors: Record<string, (string | ErrorDetail)[]>, options: { retryOnly?: boolean } = {}): StageResult {
  const details: ResponseErrors = {};
  for (const [field, list] of Object.entries(errors)) {
    details[field] = list.map((e) => (typeof e === 'string' ? { string: e, code: 'invalid' } : e));
  }
  return { kind: 'invalid', errors: details, retryOnly: options.retryOnly };
}

export const deny = (message?: string): StageResult => ({ kind: 'deny', message });

/** The session of the request, as far as stages may touch it. */
export interface StageSession {
  /** Values kept in the session beside the plan (authentik keeps e.g. the password stage's failed tries there). */
  get(key: string): unknown;
  set(key: string, value: unknown): void;
  delete(key: string): void;
  /**
   * Logs `user` in: the session gets a new key (no session fixation) and lives `ageSeconds` (0: until the browser
   * closes). Returns the new session key, already stored.
   */
  login(user: UserRow, ageSeconds: number): Promise<string>;
  /** Ends the login: the session is emptied and gets a new key (the plan stays, so the flow can finish). */
  logout(): Promise<void>;
}

export interface StageContext<Row extends Json = Json> {
  services: Services;
  log: Logger;
  flow: FlowRow;
  /** The stage's row: the base columns (`stageUuid`, `name`, `model`) and its type's own. */
  stage: Row & StageRow;
  /** The plan context (authentik's names: `pending_user`, `prompt_data`, `application`, …). */
  context: Record<string, unknown>;
  /** The user the request is authenticated as, or null. */
  user: UserRow | null;
  http: PolicyHttpRequest;
  /** The query string the flow was started with (`next`, …), as authentik's `SESSION_KEY_GET`. */
  query: Record<string, string>;
  session: StageSession;
  /**
   * The pending user's row (a transient row for a user that does not exist), else the request's user, else null.
   * It is read once per request and shared by the stages the request runs: a stage that writes the user changes
   * this row too, or hands the written row to `setPendingUser`.
   */
  pendingUser(): Promise<UserRow | null>;
  /** Makes `user` the plan's pending user (authenticated by `backend`); the row is what later stages see. */
  setPendingUser(user: UserRow, backend?: string): void;
  /** `/if/flow/<slug>/` with the flow's query string, for links to other flows. */
  flowInterfaceUrl(slug: string): string;
  /** `path` as an absolute URL on the host (and scheme) the request came to, for links sent elsewhere (email). */
  absoluteUrl(path: string): string;
  /** A copy of the plan as it is now (this stage first), to keep behind a flow token (`flows/tokens.ts`). */
  planSnapshot(): FlowPlan;
  /**
   * authentik's `FlowPlan.insert_stage`: runs `stage` right after this one, without policies (the validate stage
   * sends a user without devices through a setup stage this way).
   */
  insertStageNext(stage: Pick<StageRow, 'stageUuid' | 'model'>): void;
}

export interface StageView<Row extends Json = Json> {
  /** The schema's request body of responses (`PasswordChallengeResponseRequest`); without it, POSTs are refused as invalid. */
  responseSchema?: string;
  challenge(ctx: StageContext<Row>): Promise<Challenge | StageResult>;
  respond?(ctx: StageContext<Row>, response: Json): Promise<StageResult>;
  /** Called when a response fails `responseSchema`, before it is shown again; may end the flow instead. */
  onInvalid?(ctx: StageContext<Row>, errors: ResponseErrors): Promise<StageResult | undefined>;
}

/** A user setting a stage offers (`/stages/all/user_settings/`), authentik's `ui_user_settings`. */
export interface StageUserSetting {
  title: string;
  component: string;
}

export interface StageType<Row extends Json = Json> {
  /** authentik's model name, e.g. `authentik_stages_password.passwordstage`. */
  modelName: string;
  /** The admin form component (`ak-stage-password-form`), the `component` of the stage's API object. */
  formComponent: string;
  verboseName: string;
  verboseNamePlural: string;
  /** The model's description, as `/stages/all/types/` lists it. */
  description: string;
  model: ModelDefinition<Row & StageRow>;
  viewSet?: ViewSet<Row & StageRow>;
  view: StageView<Row>;
  userSettings?(row: Row & StageRow): StageUserSetting | undefined;
  /** A stage only in code (`registerInMemoryStage`): the executor has no row to load for it. */
  inMemory?: boolean;
  /** The flow a user configures this stage with (`configure_flow`), if the type has one. */
  configureFlow?(row: Row & StageRow): string | null;
}

/** DRF's error codes for the messages our request validation produces. */
export function errorCode(message: string): string {
  if (message === 'This field is required.') return 'required';
  if (message === 'This field may not be blank.') return 'blank';
  if (message === 'This field may not be null.') return 'null';
  return 'invalid';
}

/** DRF's field errors (`{field: [message]}`) as `response_errors`. */
export function responseErrors(fields: Record<string, unknown>): ResponseErrors {
  const out: ResponseErrors = {};
  for (const [field, value] of Object.entries(fields)) {
    const messages = (Array.isArray(value) ? value : [value]).map((m) => (typeof m === 'string' ? m : JSON.stringify(m)));
    out[field] = messages.map((message) => ({ string: message, code: errorCode(message) }));
  }
  return out;
}
