import { eq, ilike, inArray, sql } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import type { FilterFn } from './model.js';
import { ValidationError } from './errors.js';

/** Filters shaped like django-filter's, so the schema's query parameters behave as authentik's. */
export const filters = {
  exact: (column: PgColumn): FilterFn => (value) => eq(column, value),
  iexact: (column: PgColumn): FilterFn => (value) => ilike(column, value.replace(/[\\%_]/g, '\\$&')),
  startsWith: (column: PgColumn): FilterFn => (value) => ilike(column, `${value.replace(/[\\%_]/g, '\\$&')}%`),
  boolean: (column: PgColumn): FilterFn => (value) => {
    const lowered = value.toLowerCase();
    if (!['true', 'false', '1', '0'].includes(lowered)) throw ValidationError.field('non_field_errors', `"${value}" is not a valid boolean.`);
    return eq(column, lowered === 'true' || lowered === '1');
  },
  integer: (column: PgColumn): FilterFn => (value) => {
    if (!/^-?\d+$/.test(value)) throw ValidationError.field('non_field_errors', 'Enter a whole number.');
    return eq(column, Number(value));
  },
  uuid: (column: PgColumn): FilterFn => (value) => {
    if (!/^[0-9a-f-]{32,36}$/i.test(value)) throw ValidationError.field('non_field_errors', `"${value}" is not a valid UUID.`);
    return eq(column, value);
  },
  /** `?type=a&type=b`: any of the values. */
  anyOf: (column: PgColumn): FilterFn => (_value, _ctx, all) => inArray(column, all),
  /** authentik's `attributes` filter: a JSON object the attributes must contain. */
  jsonContains: (column: PgColumn): FilterFn => (value) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch {
      throw ValidationError.field('attributes', 'filter value must be valid JSON');
    }
    if (typeof parsed !== 'object' || parsed === null) throw ValidationError.field('attributes', 'filter value must be a JSON object');
    return sql`${column} @> ${JSON.stringify(parsed)}::jsonb`;
  },
};
