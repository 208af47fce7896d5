import type { Logger } from 'pino';
import type { Services } from '../../api/context.js';
import type { Json } from '../../api/model.js';
import { recordEvent } from '../../events/record.js';
import type { PolicyHttpRequest } from '../../policies/types.js';
import type { ErrorDetail, UserRow } from '../../flows/stage.js';
import type { prompts } from './table.js';
import { evaluatePromptExpression, PromptExpressionError, pyStr } from './expressions.js';

export type PromptRow = typeof prompts.$inferSelect;

export const PROMPT_TYPES = [
  'text', 'text_area', 'text_read_only', 'text_area_read_only', 'username', 'email', 'password', 'number', 'checkbox',
  'radio-button-group', 'dropdown', 'date', 'date-time', 'file', 'separator', 'hidden', 'static', 'ak-locale',
] as const;

const CHOICE_TYPES = new Set(['radio-button-group', 'dropdown']);
/** Fields whose value the stage sets itself, whatever was sent. */
export const FIXED_VALUE_TYPES = new Set(['hidden', 'static', 'text_read_only', 'text_area_read_only']);
/** `prompt_data["<field_key>__choices"]` overrides a choice field's choices (authentik's `CHOICES_CONTEXT_SUFFIX`). */
const CHOICES_CONTEXT_SUFFIX = '__choices';

/** What a prompt's expressions and defaults are computed for. */
export interface PromptScope {
  services: Services;
  log: Logger;
  /** The pending user (or the request's), null when anonymous. */
  user: UserRow | null;
  http?: PolicyHttpRequest;
  /** The plan's `prompt_data` so far. */
  promptContext: Record<string, unknown>;
  /** Preview: an expression's error is thrown (and no event recorded) instead of falling back. */
  dryRun?: boolean;
}

/** authentik's PropertyMappingEvaluator over a prompt: `user`, `request`, `prompt_context`, `dry_run`. */
async function evaluate(prompt: PromptRow, source: string, scope: PromptScope, what: string): Promise<{ ok: true; value: unknown } | { ok: false }> {
  const dryRun = Boolean(scope.dryRun);
  try {
    const value = await evaluatePromptExpression(scope.services, source, prompt.name, {
      user: scope.user ?? undefined,
      request: {
        user: scope.user, httpRequest: scope.http, obj: promptReference(prompt),
        context: { prompt_context: scope.promptContext, dry_run: dryRun },
      },
      prompt_context: scope.promptContext,
      dry_run: dryRun,
    });
    return { ok: true, value };
  } catch (err) {
    if (!(err instanceof PromptExpressionError)) throw err;
    scope.log.warn({ prompt: prompt.name, err: err.message }, `failed to evaluate prompt ${what}`);
    if (dryRun) throw err;
    await recordEvent(scope.services, {
      action: 'property_mapping_exception', app: 'authentik.core.expression.evaluator', user: scope.user,
      request: scope.http, context: { expression: source, message: err.display },
    });
    return { ok: false };
  }
}

function promptReference(prompt: PromptRow): Json {
  return { pk: prompt.promptUuid, name: prompt.name, field_key: prompt.fieldKey, label: prompt.label, type: prompt.type };
}

/** authentik's `Prompt.get_choices`: null for other types, else the choices (the placeholder, evaluated or as is). */
export async function choicesOf(prompt: PromptRow, scope: PromptScope): Promise<unknown[] | null> {
  if (!CHOICE_TYPES.has(prompt.type)) return null;
  let raw: unknown = prompt.placeholder;
  const override = prompt.fieldKey + CHOICES_CONTEXT_SUFFIX;
  if (override in scope.promptContext) raw = scope.promptContext[override];
  else if (prompt.placeholderExpression) {
    const outcome = await evaluate(prompt, prompt.placeholder, scope, 'choices');
    if (outcome.ok) raw = outcome.value;
  }
  const choices = Array.isArray(raw) ? raw : [raw];
  if (!choices.length) scope.log.warn({ prompt: prompt.name }, 'failed to get prompt choices');
  return choices;
}

/** authentik's `Prompt.get_placeholder`: choice fields have none (their placeholder holds the choices). */
export async function placeholderOf(prompt: PromptRow, scope: PromptScope): Promise<unknown> {
  if (CHOICE_TYPES.has(prompt.type)) return '';
  if (prompt.placeholderExpression) {
    const outcome = await evaluate(prompt, prompt.placeholder, scope, 'placeholder');
    if (outcome.ok) return outcome.value;
  }
  return prompt.placeholder;
}

/** Python's `==` for the JSON values choices are made of. */
function pyEquals(a: unknown, b: unknown): boolean {
  if (typeof a === 'boolean' || typeof b === 'boolean') return Number(a) === Number(b) && typeof a !== 'string' && typeof b !== 'string';
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null) return a === b;
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * authentik's `Prompt.get_initial_value`: what was already entered (never evaluated: the user controls it), else
 * the evaluated or plain initial value; a choice field's value must be one of its choices (else the first).
 */
export async function initialValueOf(prompt: PromptRow, scope: PromptScope): Promise<unknown> {
  let value: unknown;
  if (prompt.fieldKey in scope.promptContext) value = scope.promptContext[prompt.fieldKey];
  else if (prompt.initialValueExpression) {
    const outcome = await evaluate(prompt, prompt.initialValue, scope, 'initial value');
    value = outcome.ok ? outcome.value : prompt.initialValue;
  } else value = prompt.initialValue;
  if (CHOICE_TYPES.has(prompt.type)) {
    // authentik looks the choices up again here, never as a dry run.
    const choices = await choicesOf(prompt, { ...scope, dryRun: false });
    if (!choices?.length) return '';
    if (!choices.some((choice) => pyEquals(choice, value))) return choices[0];
  }
  return value;
}

/** A prompt as its challenge shows it (authentik's `StagePromptSerializer`), values as Python's `str()`. */
export async function challengeField(prompt: PromptRow, scope: PromptScope): Promise<Json> {
  const choices = await choicesOf(prompt, scope);
  return {
    field_key: prompt.fieldKey,
    label: prompt.label,
    type: prompt.type,
    required: prompt.required,
    placeholder: pyStr(await placeholderOf(prompt, scope)),
    initial_value: pyStr(await initialValueOf(prompt, scope)),
    order: prompt.order,
    sub_text: prompt.subText,
    choices: choices?.length ? choices.map(pyStr) : null,
  };
}

/** A field of the response as authentik builds it (`Prompt.field`): what DRF field, required or with a default. */
export interface ResponseField {
  prompt: PromptRow;
  choices: unknown[] | null;
  /** Python truthiness decided whether the initial value became the field's default. */
  default?: unknown;
  required: boolean;
}

function truthy(value: unknown): boolean {
  if (value === null || value === undefined || value === false || value === 0 || value === '') return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === 'object') return Object.keys(value).length > 0;
  return true;
}

export async function responseField(prompt: PromptRow, scope: PromptScope): Promise<ResponseField> {
  const choices = await choicesOf(prompt, scope);
  const current = await initialValueOf(prompt, scope);
  let required = prompt.required;
  let fallback: { value: unknown } | undefined;
  if (['text_read_only', 'text_area_read_only', 'checkbox', 'separator'].includes(prompt.type)) required = false;
  if (prompt.type === 'hidden' || prompt.type === 'static') {
    required = false;
    fallback = { value: prompt.placeholder };
  }
  if (truthy(current)) fallback = { value: current };
  // DRF: a field with a default is never required.
  if (fallback) required = false;
  return { prompt, choices, required, ...(fallback ? { default: fallback.value } : {}) };
}

const REQUIRED: ErrorDetail = { string: 'This field is required.', code: 'required' };
const NULL: ErrorDetail = { string: 'This field may not be null.', code: 'null' };
const BLANK: ErrorDetail = { string: 'This field may not be blank.', code: 'blank' };
const invalid = (message: string, code = 'invalid'): ErrorDetail => ({ string: message, code });

/** The field was left out of the validated data (DRF's SkipField). */
export const SKIP = Symbol('skip');
type FieldOutcome = { value: unknown } | { error: ErrorDetail } | typeof SKIP;

const EMAIL_USER = /^([-!#$%&'*+/=?^_`{}|~0-9A-Z]+(\.[-!#$%&'*+/=?^_`{}|~0-9A-Z]+)*$|^"([\x01-\x08\x0b\x0c\x0e-\x1f!#-[\]-\x7f]|\\[\x01-\x09\x0b\x0c\x0e-\x7f])*"$)/i;
const EMAIL_DOMAIN = /^((?:[A-Z0-9](?:[A-Z0-9-]{0,61}[A-Z0-9])?\.)+)(?:[A-Z0-9-]{2,63}(?<!-))$/i;
const EMAIL_LITERAL = /^\[([A-F0-9:.]+)\]$/i;

/** Django's EmailValidator. */
function isEmail(value: string): boolean {
  const at = value.lastIndexOf('@');
  if (at <= 0 || at === value.length - 1) return false;
  const user = value.slice(0, at);
  const domain = value.slice(at + 1);
  if (!EMAIL_USER.test(user)) return false;
  if (domain === 'localhost' || EMAIL_DOMAIN.test(domain)) return true;
  const literal = EMAIL_LITERAL.exec(domain);
  return Boolean(literal);
}

/** DRF CharField's checks: blank first, then only strings and numbers are text. */
function asText(data: unknown, options: { trim: boolean; allowBlank: boolean }): FieldOutcome {
  const text = typeof data === 'string' ? data : pyStr(data);
  if (data === '' || (options.trim && text.trim() === '')) return options.allowBlank ? { value: '' } : { error: BLANK };
  if (typeof data === 'boolean' || !['string', 'number'].includes(typeof data)) return { error: invalid('Not a valid string.') };
  return { value: options.trim ? text.trim() : text };
}

const TRUE_VALUES = new Set(['t', 'T', 'y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON', '1', 1, true]);
const FALSE_VALUES = new Set(['f', 'F', 'n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF', '0', 0, false]);

function asInteger(data: unknown): FieldOutcome {
  if (typeof data === 'string' && data.length > 1000) return { error: invalid('String value too large.', 'max_string_length') };
  if (typeof data === 'boolean' || (typeof data !== 'string' && typeof data !== 'number')) return { error: invalid('A valid integer is required.') };
  const text = String(data).replace(/\.0*\s*$/, '').trim();
  if (!/^[-+]?\d+$/.test(text.replace(/_/g, ''))) return { error: invalid('A valid integer is required.') };
  return { value: Number(text.replace(/_/g, '')) };
}

/** Django's `parse_date`: `YYYY-MM-DD` (one-digit month and day allowed), a real date. */
function asDate(data: unknown): FieldOutcome {
  const wrong = { error: invalid('Date has wrong format. Use one of these formats instead: YYYY-MM-DD.') };
  if (typeof data !== 'string') return wrong;
  const match = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(data.trim());
  if (!match) return wrong;
  const [year, month, day] = match.slice(1).map(Number);
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day || year < 1) return wrong;
  return { value: date.toISOString().slice(0, 10) };
}

/** Django's `parse_datetime` (ISO 8601), made aware in UTC when it has no offset, as DRF does with USE_TZ. */
function asDateTime(data: unknown): FieldOutcome {
  const wrong = { error: invalid('Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].') };
  if (typeof data !== 'string') return wrong;
  const match = /^(\d{4})-(\d{1,2})-(\d{1,2})[T ](\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:[.,](\d{1,6})\d*)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/.exec(data.trim());
  if (!match) return wrong;
  const [, y, mo, d, h, mi, s = '0', fraction = '', zone] = match;
  const offset = !zone || zone === 'Z' ? 0 : (zone[0] === '-' ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(3).replace(':', '') || 0));
  const parts = [y, mo, d, h, mi, s].map(Number);
  const local = Date.UTC(parts[0], parts[1] - 1, parts[2], parts[3], parts[4], parts[5], Number(fraction.padEnd(3, '0').slice(0, 3)));
  const check = new Date(local);
  if (check.getUTCMonth() !== parts[1] - 1 || check.getUTCDate() !== parts[2] || parts[3] > 23 || parts[4] > 59 || parts[5] > 59) return wrong;
  return { value: new Date(local - offset * 60_000).toISOString().replace('.000Z', 'Z') };
}

/** authentik's InlineFileField: a base64 data URI, kept as it was sent. */
function asFile(text: string): FieldOutcome {
  if (!/^data:/i.test(text)) return { error: invalid('Invalid scheme') };
  const comma = text.indexOf(',');
  const header = comma >= 0 ? text.slice(5, comma) : text.slice(5);
  const encoding = header.split(';').slice(1).join(';');
  if (comma < 0 || encoding !== 'base64') return { error: invalid('Invalid encoding') };
  return { value: text };
}

/** One field of a response as its DRF field validates it: missing/null handling, then the type's parsing. */
export function validateField(field: ResponseField, present: boolean, data: unknown): FieldOutcome {
  const { prompt } = field;
  const hasDefault = 'default' in field;
  // Read-only and hidden fields never read the response.
  if (['text_read_only', 'text_area_read_only', 'hidden'].includes(prompt.type)) return hasDefault ? { value: field.default } : SKIP;
  if (!present) {
    if (field.required) return { error: REQUIRED };
    return hasDefault ? { value: field.default } : SKIP;
  }
  if (data === null) return { error: NULL };
  switch (prompt.type) {
    case 'text':
    case 'text_area':
      return asText(data, { trim: false, allowBlank: !prompt.required });
    case 'ak-locale':
      return asText(data, { trim: true, allowBlank: true });
    case 'email': {
      const text = asText(data, { trim: true, allowBlank: !prompt.required });
      if (text !== SKIP && 'value' in text && text.value !== '' && !isEmail(String(text.value))) return { error: invalid('Enter a valid email address.') };
      return text;
    }
    case 'number':
      return asInteger(data);
    case 'checkbox':
      if (TRUE_VALUES.has(data as string)) return { value: true };
      if (FALSE_VALUES.has(data as string)) return { value: false };
      return { error: invalid('Must be a valid boolean.') };
    case 'radio-button-group':
    case 'dropdown': {
      const key = typeof data === 'string' ? data : pyStr(data);
      const match = (field.choices ?? []).find((choice) => pyStr(choice) === key);
      return match === undefined ? { error: invalid(`"${key}" is not a valid choice.`, 'invalid_choice') } : { value: match };
    }
    case 'date':
      return asDate(data);
    case 'date-time':
      return asDateTime(data);
    case 'file': {
      const text = asText(data, { trim: true, allowBlank: false });
      return text !== SKIP && 'value' in text ? asFile(String(text.value)) : text;
    }
    default:
      // username, password, separator, static: plain CharFields.
      return asText(data, { trim: true, allowBlank: false });
  }
}

