import type { ExpressionHttpRequest, ExpressionPolicyRequest } from './wire.js';

/**
 * The variables an expression sees, by name, as authentik's evaluators set them. `request` is authentik's
 * PolicyRequest (`request.user`, `request.http_request`, `request.obj`, `request.context`); when it is given,
 * `context`, `http_request`, `ak_client_ip` and `ak_is_sso_flow` follow from it as in authentik's
 * PolicyEvaluator. Anything else (`user`, `provider`, `ldap`, `prompt_context`, `group`…) is passed as it is:
 * user and group rows become authentik's User and Group objects, dates become datetimes, plain objects become
 * dicts that also read their keys as attributes. A `flow_plan` (`{ flow_pk, context }`) in the request's context
 * becomes authentik's FlowPlan; what the expression writes into its `context` is written back into that object.
 */
export interface ExpressionVariables {
  request?: ExpressionPolicyRequest;
  http_request?: ExpressionHttpRequest;
  [name: string]: unknown;
}

export interface ExpressionOptions {
  /** The expression's name, as authentik's evaluator filename: the logger's name, tracebacks and events. */
  filename?: string;
  /** Seconds before the evaluation is interrupted (default 30, authentik's policy timeout). */
  timeout?: number;
  /** Stops waiting: a queued evaluation is dropped; a running one still ends by its own timeout. */
  signal?: AbortSignal;
}

/** One `ak_logger` line, as authentik's `LogEvent` (`log_messages` of a policy test). */
export interface ExpressionLogEntry {
  event: string;
  log_level: string;
  logger: string;
  timestamp: string;
  attributes: Record<string, unknown>;
}

export interface ExpressionResult {
  /** The returned value (null for None, or when the expression failed); a generator's values as an array. */
  result: unknown;
  /** `ak_message(…)` texts, in order. */
  messages: string[];
  /** `ak_logger` lines. */
  logs: ExpressionLogEntry[];
  /** Set when the expression did not complete: Python's `str(exception)`, as authentik reports it. */
  error?: string;
  /** The exception's class (`KeyError`, `SyntaxError`, `KeyboardInterrupt` for a timeout…). */
  errorType?: string;
  /** The expression's own frames of the traceback, for logs and events. */
  traceback?: string;
  timedOut?: boolean;
}
