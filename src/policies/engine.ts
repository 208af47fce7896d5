import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { Services } from '../api/context.js';
import { executeRows } from '../db/database.js';
import { throughSnapshot } from '../db/snapshot.js';
import { allGroupIdsOf } from '../core/users-logic.js';
import { recordEvent, eventUser } from '../events/record.js';
import { policies, policyBindings } from './table.js';
import { policyResultCache, PolicyResultCache } from './cache.js';
import { policyTypeFor } from './registry.js';
import {
  PolicyError, type BindingResult, type LogEntry, type PolicyBase, type PolicyExecution, type PolicyRequest, type PolicyResult,
} from './types.js';

export type { PolicyRequest, PolicyResult } from './types.js';
export type PolicyEngineMode = 'all' | 'any';

/** Anything policies are bound to (flows, flow-stage bindings, applications, sources): a `pbm_uuid` and a mode. */
export interface BindingTarget {
  pbmUuid: string;
  policyEngineMode: PolicyEngineMode;
}

export interface EvaluateOptions {
  /** Take results from the cache (default). The flow executor's re-evaluation turns this off, as authentik's. */
  useCache?: boolean;
}

/** One binding as the engine runs it; `evaluatePolicyList` makes them up for policies that have no binding. */
interface BindingSpec {
  uuid: string;
  policy: PolicyBase | null;
  groupId: string | null;
  userId: number | null;
  negate: boolean;
  timeout: number;
  failureResult: boolean;
  /** Unsaved bindings (a policy list, `test`) are never cached. */
  cacheable: boolean;
}

class PolicyTimeout extends Error {
  constructor(seconds: number) {
    super(`Policy execution timed out after ${seconds}s`);
  }
}

const APP = 'authentik.policies';

function logger(services: Services, request: PolicyRequest, sink: LogEntry[]) {
  return (event: string, attributes: Record<string, unknown> = {}, level = 'debug') => {
    const entry: LogEntry = { event, log_level: level, logger: APP, timestamp: new Date().toISOString(), attributes };
    if (request.debug) sink.push(entry);
    const log = services.log as unknown as Record<string, ((obj: unknown, msg: string) => void) | undefined>;
    (log[level] ?? services.log.debug).call(services.log, attributes, event);
  };
}

/** A snapshot of the request for event context, as authentik's `sanitize_dict(PolicyRequest)` keeps it. */
function requestSnapshot(request: PolicyRequest): Record<string, unknown> {
  return {
    user: request.user ? eventUser(request.user) : eventUser(null),
    obj: request.obj ?? null,
    context: request.context,
    http_request: request.httpRequest ? { path: request.httpRequest.path ?? '', method: request.httpRequest.method ?? '' } : null,
  };
}

function bindingSnapshot(spec: BindingSpec): Record<string, unknown> {
  return { pk: spec.uuid.replace(/-/g, ''), app: 'authentik_policies', model_name: 'policybinding', name: `Binding to ${spec.policy?.name ?? ''}` };
}

async function recordPolicyEvent(services: Services, request: PolicyRequest, spec: BindingSpec, action: 'policy_execution' | 'policy_exception', context: Record<string, unknown>) {
  try {
    await recordEvent(services, {
      action, app: APP, user: request.user, request: request.httpRequest,
      context: { ...context, policy_uuid: spec.policy?.policyUuid.replace(/-/g, '') ?? null, binding: bindingSnapshot(spec), request: requestSnapshot(request) },
    });
  } catch (err) {
    services.log.warn({ err: (err as Error).message }, 'failed to record policy event');
  }
}

function withTimeout<T>(work: Promise<T>, seconds: number, controller: AbortController): Promise<T> {
  if (seconds <= 0) return work;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new PolicyTimeout(seconds));
    }, seconds * 1000);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

interface RunState {
  services: Services;
  request: PolicyRequest;
  /** Subtype rows by policy uuid. */
  rows: Map<string, unknown>;
  /** The user's groups incl. parents, loaded once when a group binding needs them. */
  groupIds?: Promise<Set<string>>;
}

function userGroupIds(state: RunState): Promise<Set<string>> {
  const user = state.request.user;
  if (!user) return Promise.resolve(new Set());
  state.groupIds ??= executeRows<{ id: string }>(state.services.db, sql`select id from ${allGroupIdsOf(user.id)} as g(id)`)
    .then((rows) => new Set(rows.map((r) => r.id)));
  return state.groupIds;
}

/** What the binding itself says: its policy's verdict, group membership, or being the user. */
async function bindingPasses(spec: BindingSpec, state: RunState, execution: PolicyExecution): Promise<PolicyResult> {
  if (spec.policy) {
    const type = policyTypeFor(spec.policy.model);
    if (!type) throw new PolicyError(`Policy '${spec.policy.name}' has no known type (${spec.policy.model})`);
    const row = state.rows.get(spec.policy.policyUuid);
    if (row === undefined) throw new PolicyError(`Policy '${spec.policy.name}' is missing its ${spec.policy.model} data`);
    return type.passes(row, state.request, execution);
  }
  const user = state.request.user;
  if (spec.groupId) return { passing: Boolean(user) && (await userGroupIds(state)).has(spec.groupId), messages: [] };
  if (spec.userId !== null) return { passing: Boolean(user) && user!.id === spec.userId, messages: [] };
  return { passing: false, messages: [] };
}

/** Runs one binding as authentik's `PolicyProcess.execute`: negation, execution logging, failure result. */
async function runBinding(spec: BindingSpec, state: RunState): Promise<BindingResult> {
  const { services, request } = state;
  const logs: LogEntry[] = [];
  const controller = new AbortController();
  const log = logger(services, request, logs);
  const execution: PolicyExecution = { services, signal: controller.signal, log };
  let outcome: PolicyResult;
  try {
    const verdict = await withTimeout(Promise.resolve().then(() => bindingPasses(spec, state, execution)), spec.timeout, controller);
    outcome = { passing: spec.negate ? !verdict.passing : verdict.passing, messages: [...verdict.messages] };
    if (verdict.logMessages) logs.push(...verdict.logMessages);
    if (spec.policy?.executionLogging && !request.debug) {
      await recordPolicyEvent(services, request, spec, 'policy_execution', {
        message: 'Policy Execution', result: { passing: outcome.passing, messages: outcome.messages },
      });
    }
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const known = err instanceof PolicyError || err instanceof PolicyTimeout;
    log(known ? 'P_ENG(proc): error, using failure result' : 'P_ENG(proc): unexpected error, using failure result', { exc: message }, 'warning');
    if (!request.debug) await recordPolicyEvent(services, request, spec, 'policy_exception', { message });
    // A policy's own error is its message; an unexpected one stays in the log and the event, not in front of users.
    outcome = { passing: spec.failureResult, messages: known && !(err instanceof PolicyTimeout) ? [message] : [] };
  }
  const result: BindingResult = { ...outcome, bindingUuid: spec.uuid, policyUuid: spec.policy?.policyUuid ?? null };
  if (request.debug) result.logMessages = logs;
  return result;
}

function cacheKeyOf(spec: BindingSpec, request: PolicyRequest): string {
  return PolicyResultCache.key(spec.uuid, request.httpRequest?.sessionKey, request.user?.id);
}

async function loadSubtypeRows(services: Services, specs: BindingSpec[]): Promise<Map<string, unknown>> {
  const byModel = new Map<string, string[]>();
  for (const spec of specs) if (spec.policy) (byModel.get(spec.policy.model) ?? byModel.set(spec.policy.model, []).get(spec.policy.model)!).push(spec.policy.policyUuid);
  const rows = new Map<string, unknown>();
  await Promise.all([...byModel].map(async ([model, ids]) => {
    const type = policyTypeFor(model);
    if (!type) return;
    const loaded = await throughSnapshot(services, `policies:${model}:${ids.join(',')}`, () => type.load(services, ids));
    for (const [id, row] of loaded) rows.set(id, row);
  }));
  return rows;
}

/** Evaluates bindings and combines their results with `mode`; no bindings pass. */
async function evaluate(services: Services, specs: BindingSpec[], mode: PolicyEngineMode, request: PolicyRequest, useCache: boolean): Promise<PolicyResult> {
  if (!specs.length) return { passing: true, messages: [], sourceResults: [] };
  const cache = useCache && !request.debug;
  const shouldCache = Boolean(request.user) && !request.debug;
  const results: (BindingResult | undefined)[] = specs.map((spec) => {
    if (!cache || !spec.cacheable) return undefined;
    const hit = policyResultCache.get(cacheKeyOf(spec, request));
    return hit ? { ...hit, messages: [...hit.messages], bindingUuid: spec.uuid, policyUuid: spec.policy?.policyUuid ?? null } : undefined;
  });
  const pending = specs.filter((_, i) => !results[i]);
  if (pending.length) {
    const state: RunState = { services, request, rows: await loadSubtypeRows(services, pending) };
    const ttl = services.config.cache.timeout_policies;
    // authentik runs each binding in its own process; here they run concurrently on the event loop.
    await Promise.all(specs.map(async (spec, i) => {
      if (results[i]) return;
      const outcome = await runBinding(spec, state);
      results[i] = outcome;
      if (shouldCache && spec.cacheable) {
        policyResultCache.set(cacheKeyOf(spec, request), spec.uuid, { passing: outcome.passing, messages: outcome.messages }, ttl);
      }
    }));
  }
  const all = results as BindingResult[];
  const passing = mode === 'all' ? all.every((r) => r.passing) : all.some((r) => r.passing);
  const combined: PolicyResult = { passing, messages: all.flatMap((r) => r.messages), sourceResults: all };
  if (request.debug) combined.logMessages = all.flatMap((r) => r.logMessages ?? []);
  return combined;
}

/**
 * Evaluates the enabled bindings of `target` in order (authentik's `PolicyEngine`): each binding is a policy,
 * a group (the user or one of their groups' descendants is in it) or a user; `negate` inverts, a failing or
 * overrunning policy yields `failure_result`; `all` needs every binding to pass, `any` one. A target without
 * bindings passes.
 */
export async function evaluateBindings(services: Services, target: BindingTarget, request: PolicyRequest, options: EvaluateOptions = {}): Promise<PolicyResult> {
  const rows = await throughSnapshot(services, `bindings:${target.pbmUuid}`, () => services.db.select({ binding: policyBindings, policy: policies })
    .from(policyBindings)
    .leftJoin(policies, eq(policies.policyUuid, policyBindings.policyId))
    .where(and(eq(policyBindings.targetId, target.pbmUuid), eq(policyBindings.enabled, true)))
    .orderBy(asc(policyBindings.order), asc(policyBindings.policyBindingUuid)));
  const specs: BindingSpec[] = rows.map(({ binding, policy }) => ({
    uuid: binding.policyBindingUuid,
    policy,
    groupId: binding.groupId,
    userId: binding.userId,
    negate: binding.negate,
    timeout: binding.timeout,
    failureResult: binding.failureResult,
    cacheable: true,
  }));
  return evaluate(services, specs, target.policyEngineMode, request, options.useCache ?? true);
}

/**
 * Evaluates policies that are not bound to anything, in the given order (authentik's `ListPolicyEngine`, used
 * for prompt stages' validation policies): never cached, `all` by default.
 */
export async function evaluatePolicyList(services: Services, policyUuids: string[], request: PolicyRequest, mode: PolicyEngineMode = 'all'): Promise<PolicyResult> {
  if (!policyUuids.length) return { passing: true, messages: [], sourceResults: [] };
  const found = await services.db.select().from(policies).where(inArray(policies.policyUuid, policyUuids));
  const byId = new Map(found.map((p) => [p.policyUuid, p]));
  const specs = policyUuids.filter((id) => byId.has(id)).map((id, index): BindingSpec => ({
    uuid: `00000000-0000-4000-8000-${index.toString(16).padStart(12, '0')}`,
    policy: byId.get(id)!, groupId: null, userId: null, negate: false, timeout: 30, failureResult: false, cacheable: false,
  }));
  return evaluate(services, specs, mode, request, false);
}

/** Runs one policy on its own, as `/policies/all/{pk}/test/` does (no binding: no negation, 30 s, fails closed). */
export async function runPolicy(services: Services, policy: PolicyBase, request: PolicyRequest): Promise<PolicyResult> {
  const spec: BindingSpec = {
    uuid: '00000000-0000-4000-8000-000000000000', policy, groupId: null, userId: null, negate: false, timeout: 30, failureResult: false, cacheable: false,
  };
  const state: RunState = { services, request, rows: await loadSubtypeRows(services, [spec]) };
  const { bindingUuid: _binding, policyUuid: _policy, ...outcome } = await runBinding(spec, state);
  return outcome;
}
