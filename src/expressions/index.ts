import type { Services } from '../api/context.js';
import { registerBuiltinHandlers } from './builtin-handlers.js';
import { ExpressionSandbox, DEFAULT_SANDBOX_OPTIONS } from './sandbox.js';
import type { ExpressionLogEntry, ExpressionOptions, ExpressionResult, ExpressionVariables } from './types.js';
import { WireCodec, type Wire } from './wire.js';

export type { ExpressionLogEntry, ExpressionOptions, ExpressionResult, ExpressionVariables } from './types.js';
export type { ExpressionHttpRequest, ExpressionPolicyRequest } from './wire.js';
export { registerExpressionHandler, registerLazyExpressionHandler, type ExpressionCall, type ExpressionHandler } from './handlers.js';

const DEFAULT_TIMEOUT_SECONDS = 30;
const CHECK_TIMEOUT_MS = 10_000;

registerBuiltinHandlers();

let sandbox: ExpressionSandbox | undefined;

/** The first caller with services sets the process settings (`expressions.*`); tests without them get defaults. */
function theSandbox(services?: Services): ExpressionSandbox {
  const settings = services?.config.expressions;
  sandbox ??= new ExpressionSandbox({
    ...DEFAULT_SANDBOX_OPTIONS,
    ...(settings ? { idleShutdownMs: Math.max(0, settings.idle_timeout) * 1000 } : {}),
    log: (level, message, details) => services?.log[level](details ?? {}, message),
  });
  return sandbox;
}

/**
 * Starts loading the interpreter in the background (~150 MB and a few seconds of CPU), so that the next
 * expression does not wait for it; resolves when it is ready.
 */
export function warmExpressionSandbox(services?: Services): Promise<void> {
  return theSandbox(services).warm();
}

/** Stops the sandbox process (shutdown, tests); the next evaluation starts a new one. */
export async function closeExpressionSandbox(): Promise<void> {
  const current = sandbox;
  sandbox = undefined;
  await current?.close();
}

/** The running sandbox, for tests that need to crash it or to see its process. */
export function expressionSandbox(): ExpressionSandbox {
  return theSandbox();
}

function encodeVariables(codec: WireCodec, variables: ExpressionVariables): Record<string, Wire> {
  const out: Record<string, Wire> = {};
  for (const [name, value] of Object.entries(variables)) {
    if (value === undefined) continue;
    if (name === 'request' && value && typeof value === 'object') out.request = codec.encodePolicyRequest(value);
    else if (name === 'http_request' && value && typeof value === 'object') out.http_request = codec.encodeHttpRequest(value);
    else out[name] = codec.encode(value);
  }
  return out;
}

/** What the expression wrote into `context["flow_plan"].context` goes back into the plan object it was given. */
function writeBackFlowPlan(variables: ExpressionVariables, codec: WireCodec, context: Wire | undefined): void {
  if (context === undefined || context === null) return;
  const plan = variables.request?.context?.flow_plan as { context?: unknown } | undefined;
  if (!plan || typeof plan !== 'object' || !plan.context || typeof plan.context !== 'object') return;
  const target = plan.context as Record<string, unknown>;
  const updated = codec.decode(context) as Record<string, unknown>;
  for (const key of Object.keys(target)) if (!(key in updated)) delete target[key];
  Object.assign(target, updated);
}

/**
 * Runs an expression as authentik does: `source` is the body of a function whose parameters are the variables
 * (see `ExpressionVariables`), with authentik's helpers as globals (`ak_message`, `ak_logger`, `ak_user_by`,
 * `ak_is_group_member`, `ak_call_policy`, `requests`…). Never throws for the expression's faults: a syntax error,
 * an exception or a timeout is `error` (Python's text of it), with the messages and log lines written before.
 */
export async function evaluateExpression(
  services: Services,
  source: string,
  variables: ExpressionVariables = {},
  options: ExpressionOptions = {},
): Promise<ExpressionResult> {
  const codec = new WireCodec(services);
  const filename = options.filename || 'BaseEvaluator';
  const timeoutMs = Math.max(1, (options.timeout ?? DEFAULT_TIMEOUT_SECONDS) * 1000);
  const reply = await theSandbox(services).run(
    { op: 'eval', source, filename, variables: encodeVariables(codec, variables) },
    timeoutMs,
    { services, codec, variables, filename },
    options.signal,
  );
  writeBackFlowPlan(variables, codec, reply.flowPlanContext);
  const outcome: ExpressionResult = {
    result: reply.ok ? codec.decode(reply.result ?? null) : null,
    messages: reply.messages ?? [],
    logs: (reply.logs ?? []) as ExpressionLogEntry[],
  };
  if (!reply.ok) {
    outcome.error = reply.error ?? 'Expression failed';
    outcome.errorType = reply.errorType;
    if (reply.traceback) outcome.traceback = reply.traceback;
    if (reply.timedOut) {
      outcome.timedOut = true;
      outcome.error = `Expression timed out after ${timeoutMs / 1000}s`;
    }
  }
  return outcome;
}

/**
 * The syntax error of `source` as authentik's evaluator words it (`invalid syntax (temp-policy, line 2)`; the
 * line counts authentik's wrapping `def handler(…):` line), or null when it compiles. authentik's API answers
 * it with 400 `Expression Syntax Error: …`. Rejects only when the sandbox cannot run at all.
 */
export async function checkExpressionSyntax(source: string, options: { filename?: string; variables?: string[] } = {}): Promise<string | null> {
  const reply = await theSandbox().run({ op: 'check', source, filename: options.filename || 'temp-policy', names: options.variables }, CHECK_TIMEOUT_MS);
  if (reply.syntaxError !== undefined) return reply.syntaxError;
  throw new Error(reply.error ?? 'The expression sandbox did not answer');
}

/**
 * The domain entry. The interpreter loads on the first expression (which waits for it), off the start-up path,
 * and stops after `expressions.idle_timeout` without work; `expressions.preload` loads it once the server listens.
 */
export const expressionsDomain = {
  name: 'expressions',
  start(services: Services) {
    theSandbox(services);
    if (services.config.expressions.preload) {
      warmExpressionSandbox(services).catch((err: Error) => services.log.warn({ err: err.message }, 'expression sandbox failed to start'));
    }
    return closeExpressionSandbox;
  },
};
