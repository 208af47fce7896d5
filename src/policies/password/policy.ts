import { createHash } from 'node:crypto';
import { inArray } from 'drizzle-orm';
import { PolicyError, result, type PolicyExecution, type PolicyRequest, type PolicyResult, type PolicyType } from '../types.js';
import { passwordPolicies } from './table.js';
import { zxcvbn } from './zxcvbn.js';

export type PasswordPolicyRow = typeof passwordPolicies.$inferSelect;

/** Where prompt stages keep what the user typed (authentik's `PLAN_CONTEXT_PROMPT`). */
export const PLAN_CONTEXT_PROMPT = 'prompt_data';

const count = (password: string, pattern: RegExp) => password.match(pattern)?.length ?? 0;

function passesStatic(row: PasswordPolicyRow, password: string, execution: PolicyExecution): PolicyResult {
  const fail = (reason: string) => {
    execution.log('password failed', { check: 'static', reason });
    return result(false, row.errorMessage);
  };
  // Characters, not UTF-16 units, as Python's len().
  if ([...password].length < row.lengthMin) return fail('length');
  if (row.amountDigits > 0 && count(password, /[0-9]/g) < row.amountDigits) return fail('amount_digits');
  if (row.amountLowercase > 0 && count(password, /[a-z]/g) < row.amountLowercase) return fail('amount_lowercase');
  if (row.amountUppercase > 0 && count(password, /[A-Z]/g) < row.amountUppercase) return fail('amount_uppercase');
  if (row.amountSymbols > 0) {
    let symbols = 0;
    for (const symbol of new Set(row.symbolCharset)) symbols += password.split(symbol).length - 1;
    if (symbols < row.amountSymbols) return fail('amount_symbols');
  }
  return result(true);
}

/**
 * Have I Been Pwned's k-anonymity range API: only the first five hex digits of the SHA-1 leave the server; the
 * answer lists `SUFFIX:COUNT` lines for every leaked hash with that prefix.
 */
async function passesHibp(row: PasswordPolicyRow, password: string, execution: PolicyExecution): Promise<PolicyResult> {
  const hash = createHash('sha1').update(password, 'utf8').digest('hex');
  const url = `${execution.services.config.policies.hibp_url}${hash.slice(0, 5)}`;
  let body: string;
  try {
    const response = await fetch(url, { signal: execution.signal, headers: { 'user-agent': 'authentik' } });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    body = await response.text();
  } catch (err) {
    throw new PolicyError(`Failed to check password against haveibeenpwned: ${(err as Error).message}`, err);
  }
  let found = 0;
  for (const line of body.split(/\r?\n/)) {
    const [suffix, times] = line.trim().split(':');
    if (suffix && suffix.toLowerCase() === hash.slice(5)) found = Number.parseInt(times, 10) || 0;
  }
  execution.log('got hibp result', { count: found, hash: hash.slice(0, 5) });
  if (found > row.hibpAllowedCount) {
    execution.log('password failed', { check: 'hibp', count: found });
    return result(false, `Password exists on ${found} online lists.`);
  }
  return result(true);
}

async function passesZxcvbn(row: PasswordPolicyRow, password: string, request: PolicyRequest, execution: PolicyExecution): Promise<PolicyResult> {
  const inputs = request.user ? [request.user.username, request.user.name, request.user.email].filter(Boolean) : [];
  // Past 100 characters the score is high anyway, and the estimate gets slow.
  const estimate = (await zxcvbn()).check(password.slice(0, 100), inputs);
  execution.log('password checked', { check: 'zxcvbn', score: estimate.score });
  const messages = [estimate.feedback.warning, ...estimate.feedback.suggestions].filter((m): m is string => Boolean(m));
  return { passing: estimate.score > row.zxcvbnScoreThreshold, messages };
}

/** Checks the password in the request's context: static rules, then HIBP, then zxcvbn; the first failure answers. */
export const passwordPolicyType: PolicyType<PasswordPolicyRow> = {
  modelName: 'authentik_policies_password.passwordpolicy',
  component: 'ak-policy-password-form',
  verboseName: 'Password Policy',
  verboseNamePlural: 'Password Policies',
  description: 'Policy to make sure passwords have certain properties',
  async load(services, ids) {
    const rows = await services.db.select().from(passwordPolicies).where(inArray(passwordPolicies.policyPtrId, ids));
    return new Map(rows.map((row) => [row.policyPtrId, row]));
  },
  async passes(row, request, execution) {
    const prompt = request.context[PLAN_CONTEXT_PROMPT] as Record<string, unknown> | undefined;
    const value = prompt && row.passwordField in prompt ? prompt[row.passwordField] : request.context[row.passwordField];
    if (value === undefined || value === null || value === '') {
      execution.log('Password field not set in Policy Request', { field: row.passwordField, fields: Object.keys(request.context) }, 'warning');
      return result(false, 'Password not set in context');
    }
    const password = String(value);
    if (row.checkStaticRules) {
      const outcome = passesStatic(row, password, execution);
      if (!outcome.passing) return outcome;
    }
    if (row.checkHaveIBeenPwned) {
      const outcome = await passesHibp(row, password, execution);
      if (!outcome.passing) return outcome;
    }
    if (row.checkZxcvbn) {
      const outcome = await passesZxcvbn(row, password, request, execution);
      if (!outcome.passing) return outcome;
    }
    return result(true);
  },
};
