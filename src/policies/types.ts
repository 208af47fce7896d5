import type { Services } from '../api/context.js';
import type { users } from '../core/table.js';

export type UserRow = typeof users.$inferSelect;

/** The HTTP request a policy runs for, reduced to what policies read. */
export interface PolicyHttpRequest {
  ip: string;
  userAgent: string;
  host: string;
  /** The session, when there is one: part of the result cache key, as in authentik. */
  sessionKey?: string;
  path?: string;
  method?: string;
  query?: Record<string, unknown>;
}

/** What a policy is asked about (authentik's `PolicyRequest`). */
export interface PolicyRequest {
  /** The user being checked; `null` for an anonymous request. */
  user: UserRow | null;
  httpRequest?: PolicyHttpRequest;
  /** Free-form data: the flow plan's context, prompt data, the event being matched… */
  context: Record<string, unknown>;
  /** The object the policies are bound to (a flow, an application…). */
  obj?: unknown;
  /** Set by `test`: no caching, no exception events, logs collected. */
  debug?: boolean;
}

/** One captured log line, shaped as authentik's `LogEvent` in `PolicyTestResult.log_messages`. */
export interface LogEntry {
  event: string;
  log_level: string;
  logger: string;
  timestamp: string;
  attributes: Record<string, unknown>;
}

export interface PolicyResult {
  passing: boolean;
  messages: string[];
  logMessages?: LogEntry[];
  /** The per-binding results an engine result was combined from, in binding order. */
  sourceResults?: BindingResult[];
}

export interface BindingResult extends PolicyResult {
  bindingUuid: string;
  policyUuid: string | null;
}

/**
 * A policy's own failure (bad configuration, an expression raising): the binding's `failure_result` applies
 * and a `policy_exception` event is recorded, as authentik does for `PolicyException`.
 */
export class PolicyError extends Error {
  constructor(message: string, readonly cause?: unknown) {
    super(message);
    this.name = 'PolicyError';
  }
}

/** What a policy type's `passes` gets besides the request. */
export interface PolicyExecution {
  services: Services;
  /** Aborted when the binding's timeout passes; long-running work (HTTP calls) should honour it. */
  signal: AbortSignal;
  /** Logs a line; captured into `log_messages` when the request is a debug one. */
  log(event: string, attributes?: Record<string, unknown>, level?: string): void;
}

/** The row of the shared base table every policy type extends. */
export interface PolicyBase {
  policyUuid: string;
  name: string;
  executionLogging: boolean;
  model: string;
}

/**
 * One policy type: how to load its rows and how to evaluate one. Its API and table live in its own folder;
 * the engine reaches it through the registry in `registry.ts`.
 */
export interface PolicyType<Row = unknown> {
  /** authentik's model name, e.g. `authentik_policies_dummy.dummypolicy`. */
  modelName: string;
  /** The web component that edits it, e.g. `ak-policy-dummy-form`. */
  component: string;
  verboseName: string;
  verboseNamePlural: string;
  description: string;
  /** Its subtype rows by policy uuid (a type without a subtype row may return the base). */
  load(services: Services, policyUuids: string[]): Promise<Map<string, Row>>;
  passes(row: Row, request: PolicyRequest, execution: PolicyExecution): Promise<PolicyResult> | PolicyResult;
}

export function result(passing: boolean, ...messages: string[]): PolicyResult {
  return { passing, messages };
}
