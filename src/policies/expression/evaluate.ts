import { checkExpressionSyntax, evaluateExpression } from '../../expressions/index.js';
import type { PolicyExecution, PolicyRequest, PolicyResult } from '../types.js';

/** The message a syntax error gets on save, as authentik's evaluator words it; null when the source compiles. */
export async function expressionSyntaxError(source: string): Promise<string | null> {
  const error = await checkExpressionSyntax(source, { filename: 'temp-policy' });
  return error === null ? null : `Expression Syntax Error: ${error}`;
}

/**
 * Evaluates an expression policy as authentik's `PolicyEvaluator.evaluate`: a truthy result passes, `None` and
 * falsy values fail, messages come from `ak_message`; an exception or a timeout fails with its text as message.
 */
export async function evaluateExpressionPolicy(name: string, source: string, request: PolicyRequest, execution: PolicyExecution): Promise<PolicyResult> {
  const outcome = await evaluateExpression(execution.services, source, { request }, { filename: name, signal: execution.signal });
  if (outcome.error !== undefined) {
    execution.log('Expression error', { exc: outcome.error }, 'warning');
    return { passing: false, messages: [...outcome.messages, outcome.error], logMessages: outcome.logs };
  }
  if (outcome.result === null || outcome.result === undefined) execution.log('Expression policy returned None', { policy: name }, 'warning');
  return { passing: Boolean(outcome.result), messages: outcome.messages, logMessages: outcome.logs };
}
