import { asc, eq } from 'drizzle-orm';
import type { Services } from '../api/context.js';
import { users } from '../core/table.js';
import { evaluateBindings, type PolicyEngineMode } from '../policies/engine.js';
import type { PolicyHttpRequest } from '../policies/types.js';
import { flowStageBindings, stages } from './table.js';
import { planCache } from './cache.js';
import { PLAN_CONTEXT, type FlowRow, type PendingUser, type UserRow } from './stage.js';

export type InvalidResponseAction = 'retry' | 'restart' | 'restart_with_context';

/** One step of a plan: a flow-stage binding that survived planning. */
export interface PlannedBinding {
  fsbUuid: string;
  pbmUuid: string;
  stageUuid: string;
  stageModel: string;
  order: number;
  policyEngineMode: PolicyEngineMode;
  invalidResponseAction: InvalidResponseAction;
  /** authentik's `ReevaluateMarker`: the binding's policies run again (uncached) before the stage is shown. */
  reEvaluate: boolean;
}

/** authentik's `FlowPlan`, kept in the session as JSON: the remaining bindings and the context stages share. */
export interface FlowPlan {
  flowPk: string;
  bindings: PlannedBinding[];
  context: Record<string, unknown>;
}

/** The flow does not apply to the request: its authentication requirement or its policies refuse it. */
export class FlowNonApplicableError extends Error {
  constructor(readonly policyMessages: string[] = []) {
    super('Flow does not apply to current user (denied by policy).');
  }

  /** What the user is shown: the policies' messages, else authentik's generic reason. */
  get messages(): string {
    return this.policyMessages.length ? this.policyMessages.join('\n') : 'Flow does not apply to current user.';
  }
}

/** The flow has no stage to show. */
export class EmptyFlowError extends Error {
  constructor() {
    super('Flow has no stages.');
  }
}

/** Who and what a plan is made for. */
export interface PlanRequest {
  services: Services;
  flow: FlowRow;
  /** The request's authenticated user, or null. */
  user: UserRow | null;
  isSuperuser: boolean;
  http?: PolicyHttpRequest;
  /** Reads the pending user's row; the executor passes one that reads it once per request. */
  pendingUserRow?: (context: Record<string, unknown>) => Promise<UserRow | undefined>;
}

export interface PlanOptions {
  context?: Record<string, unknown>;
  useCache?: boolean;
  allowEmpty?: boolean;
}

export function pendingUserOf(context: Record<string, unknown>): PendingUser | undefined {
  const value = context[PLAN_CONTEXT.PENDING_USER];
  if (!value || typeof value !== 'object') return undefined;
  return value as PendingUser;
}

/** A row for a pending user who does not exist (pretend_user_exists): never saved, never active. */
export function transientUser(pending: PendingUser): UserRow {
  return {
    id: 0, uuid: '00000000-0000-0000-0000-000000000000', username: pending.username, name: '', email: pending.email, password: '',
    passwordChangeDate: new Date(0), isActive: false, lastLogin: null, dateJoined: new Date(0), attributes: {}, path: 'users', type: 'internal',
  };
}

/** The pending user's row (a transient one when they do not exist), or undefined when there is none. */
export async function loadPendingUser(services: Services, context: Record<string, unknown>): Promise<UserRow | undefined> {
  const pending = pendingUserOf(context);
  if (!pending) return undefined;
  if (pending.pk === null || pending.pk === undefined) return transientUser(pending);
  const [row] = await services.db.select().from(users).where(eq(users.id, pending.pk)).limit(1);
  return row ?? transientUser(pending);
}

/**
 * The plan context as policies see it: `pending_user` as the user's row (with `backend` once a backend
 * authenticated them, as authentik's user object carries it), everything else as it is.
 */
export async function policyContext(
  services: Services,
  context: Record<string, unknown>,
  load: (context: Record<string, unknown>) => Promise<UserRow | undefined> = (c) => loadPendingUser(services, c),
): Promise<Record<string, unknown>> {
  const pending = pendingUserOf(context);
  if (!pending) return { ...context };
  const row = await load(context);
  return { ...context, [PLAN_CONTEXT.PENDING_USER]: pending.backend ? { ...row, backend: pending.backend } : row };
}

/**
 * What a policy wrote into `context["flow_plan"].context` (authentik's out-of-box flow sets `pending_user` with
 * `ak_user_by`) goes into the plan itself; a user object becomes the plan's pending user again.
 */
function adoptPolicyWrites(target: Record<string, unknown>, before: Record<string, unknown>, after: Record<string, unknown>): void {
  for (const key of Object.keys(before)) if (!(key in after)) delete target[key];
  for (const [key, value] of Object.entries(after)) {
    if (JSON.stringify(value) === JSON.stringify(before[key])) continue;
    const user = (value && typeof value === 'object' ? value : {}) as Partial<UserRow> & { pk?: unknown; backend?: string };
    const pk = typeof user.id === 'number' ? user.id : typeof user.pk === 'number' ? user.pk : undefined;
    target[key] = key === PLAN_CONTEXT.PENDING_USER && pk !== undefined
      ? { pk, username: user.username ?? '', email: user.email ?? '', ...(user.backend ? { backend: user.backend } : {}) } satisfies PendingUser
      : value;
  }
}

/** The user policies are evaluated for: the pending user if there is one, else the request's. */
async function policyUser(request: PlanRequest, context: Record<string, unknown>): Promise<UserRow | null> {
  const pending = await pendingRow(request, context);
  return pending ?? request.user;
}

function pendingRow(request: PlanRequest, context: Record<string, unknown>): Promise<UserRow | undefined> {
  return request.pendingUserRow ? request.pendingUserRow(context) : loadPendingUser(request.services, context);
}

function requestPolicyContext(request: PlanRequest, context: Record<string, unknown>): Promise<Record<string, unknown>> {
  return policyContext(request.services, context, (c) => pendingRow(request, c));
}

/** authentik's `_check_authentication`: the flow's `authentication` requirement against the request. */
function checkAuthentication(request: PlanRequest): void {
  const { flow, user } = request;
  switch (flow.authentication) {
    case 'require_authenticated':
      if (!user) throw new FlowNonApplicableError();
      break;
    case 'require_unauthenticated':
      if (user) throw new FlowNonApplicableError();
      break;
    case 'require_superuser':
      if (!user || !request.isSuperuser) throw new FlowNonApplicableError();
      break;
    case 'require_outpost':
      // Outposts call the core with their own service account's token.
      if (!user || user.type !== 'internal_service_account') throw new FlowNonApplicableError();
      break;
    default:
      break;
  }
}

/**
 * authentik's `FlowPlanner.plan`: the authentication requirement, then the flow's own policies (for the pending
 * user if the context names one), then the bindings in order, dropping those whose policies fail when they are
 * evaluated on planning and marking those to re-evaluate. Plans are cached per flow and user.
 */
export async function planFlow(request: PlanRequest, options: PlanOptions = {}): Promise<FlowPlan> {
  const { services, flow } = request;
  const context = options.context ?? {};
  const useCache = options.useCache ?? true;
  checkAuthentication(request);
  const user = await policyUser(request, context);
  const flowResult = await evaluateBindings(services, { pbmUuid: flow.pbmUuid, policyEngineMode: flow.policyEngineMode as PolicyEngineMode }, {
    user, httpRequest: request.http, context: await requestPolicyContext(request, context), obj: flow,
  }, { useCache });
  if (!flowResult.passing) throw new FlowNonApplicableError(flowResult.messages);

  const cacheable = flow.designation !== 'stage_configuration';
  let bindings = useCache && cacheable ? planCache.get(flow.flowUuid, user?.id) : undefined;
  if (!bindings) {
    bindings = await buildBindings(request, user, context, useCache);
    if (useCache) planCache.set(flow.flowUuid, user?.id, bindings, services.config.cache.timeout_flows);
  }
  if (!bindings.length && !options.allowEmpty) throw new EmptyFlowError();
  return { flowPk: flow.flowUuid, bindings, context };
}

async function buildBindings(request: PlanRequest, user: UserRow | null, context: Record<string, unknown>, useCache: boolean): Promise<PlannedBinding[]> {
  const { services, flow } = request;
  const rows = await services.db.select({ binding: flowStageBindings, model: stages.model }).from(flowStageBindings)
    .innerJoin(stages, eq(stages.stageUuid, flowStageBindings.stageId))
    .where(eq(flowStageBindings.targetId, flow.flowUuid)).orderBy(asc(flowStageBindings.order), asc(flowStageBindings.fsbUuid));
  const planned: PlannedBinding[] = [];
  for (const { binding, model } of rows) {
    const step: PlannedBinding = {
      fsbUuid: binding.fsbUuid,
      pbmUuid: binding.pbmUuid,
      stageUuid: binding.stageId,
      stageModel: model,
      order: binding.order,
      policyEngineMode: binding.policyEngineMode as PolicyEngineMode,
      invalidResponseAction: binding.invalidResponseAction as InvalidResponseAction,
      reEvaluate: binding.reEvaluatePolicies,
    };
    if (binding.evaluateOnPlan) {
      const base = await requestPolicyContext(request, context);
      const seen = { ...base };
      const result = await evaluateBindings(services, { pbmUuid: binding.pbmUuid, policyEngineMode: step.policyEngineMode }, {
        user, httpRequest: request.http, obj: binding,
        context: { ...base, flow_plan: { flow_pk: flow.flowUuid, context: seen, bindings: [...planned] } },
      }, { useCache });
      adoptPolicyWrites(context, base, seen);
      if (!result.passing) continue;
    }
    planned.push(step);
  }
  return planned;
}

/**
 * authentik's `FlowPlan.next`: the first binding still to run, after re-evaluating the policies of bindings
 * marked for it (uncached, for the pending user); a binding whose policies now fail is dropped.
 */
export async function nextBinding(request: PlanRequest, plan: FlowPlan): Promise<PlannedBinding | undefined> {
  while (plan.bindings.length) {
    const binding = plan.bindings[0];
    if (!binding.reEvaluate) return binding;
    const base = await requestPolicyContext(request, plan.context);
    const seen = { ...base };
    const result = await evaluateBindings(request.services, { pbmUuid: binding.pbmUuid, policyEngineMode: binding.policyEngineMode }, {
      user: await policyUser(request, plan.context), httpRequest: request.http, obj: binding,
      context: { ...base, flow_plan: { flow_pk: plan.flowPk, context: seen, bindings: plan.bindings } },
    }, { useCache: false });
    adoptPolicyWrites(plan.context, base, seen);
    if (result.passing) return binding;
    plan.bindings.shift();
  }
  return undefined;
}
