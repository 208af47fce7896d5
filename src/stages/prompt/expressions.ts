import type { Services } from '../../api/context.js';
import { evaluateExpression } from '../../expressions/index.js';

/** An expression that raised (authentik's `PropertyMappingExpressionException`). */
export class PromptExpressionError extends Error {
  constructor(message: string, readonly errorType = 'Exception') {
    super(message);
    this.name = 'PromptExpressionError';
  }

  /** As authentik's API shows it: the exception's class and text. */
  get display(): string {
    return `${this.errorType}: ${this.message}`;
  }
}

/** Runs a prompt's expression with authentik's PropertyMappingEvaluator variables; throws PromptExpressionError. */
export async function evaluatePromptExpression(services: Services, source: string, name: string, variables: Record<string, unknown>): Promise<unknown> {
  const outcome = await evaluateExpression(services, source, variables, { filename: name });
  if (outcome.error !== undefined) throw new PromptExpressionError(outcome.error, outcome.errorType);
  return outcome.result;
}

/** Python's `repr()` of a JSON value, for `str()` of containers. */
function pyRepr(value: unknown): string {
  if (typeof value === 'string') {
    const quote = value.includes("'") && !value.includes('"') ? '"' : "'";
    const escaped = value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t');
    return quote + (quote === "'" ? escaped.replace(/'/g, "\\'") : escaped) + quote;
  }
  return pyStr(value);
}

/** Python's `str()` of a JSON value, as authentik renders placeholders, initial values and choices. */
export function pyStr(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  if (Array.isArray(value)) return `[${value.map(pyRepr).join(', ')}]`;
  if (typeof value === 'object') return `{${Object.entries(value as Record<string, unknown>).map(([k, v]) => `${pyRepr(k)}: ${pyRepr(v)}`).join(', ')}}`;
  return String(value);
}
