import { eq } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import type { Json, FilterFn, ModelDefinition } from '../api/model.js';
import type { ViewSet } from '../api/viewset.js';
import { filters } from '../api/filters.js';
import { ValidationError } from '../api/errors.js';
import { policies } from './table.js';
import type { PolicyRow } from './models.js';

/** A django-filter style exact filter for a column, by its type. */
export function exactFilter(column: PgColumn, field: string): FilterFn {
  switch (column.columnType) {
    case 'PgBoolean':
      return filters.boolean(column);
    case 'PgInteger':
    case 'PgBigInt53':
    case 'PgSerial':
      return filters.integer(column);
    case 'PgUUID':
      return filters.uuid(column);
    case 'PgTimestamp':
      return (value) => {
        const date = new Date(value);
        if (Number.isNaN(date.getTime())) throw ValidationError.field(field, 'Enter a valid date/time.');
        return eq(column, date);
      };
    default:
      return filters.exact(column);
  }
}

/** Exact filters for every named field, as authentik's `filterset_fields`. */
export function exactFilters(columns: Record<string, PgColumn>): Record<string, FilterFn> {
  return Object.fromEntries(Object.entries(columns).map(([field, column]) => [field, exactFilter(column, field)]));
}

/** `/policies/<type>/`: CRUD and `used_by` over a policy type, filterable by each of its fields, ordered by name. */
export function policyTypeViewSet<Row extends PolicyRow & Json>(model: ModelDefinition<Row>, path: string, own: Record<string, PgColumn>): ViewSet<Row> {
  return {
    model,
    path,
    lookupParam: 'policy_uuid',
    lookupColumn: policies.policyUuid,
    lookupType: 'uuid',
    filters: exactFilters({
      created: policies.created,
      execution_logging: policies.executionLogging,
      last_updated: policies.lastUpdated,
      name: policies.name,
      policy_uuid: policies.policyUuid,
      ...own,
    }),
    search: [policies.name],
    ordering: { name: policies.name, created: policies.created, last_updated: policies.lastUpdated, execution_logging: policies.executionLogging },
    defaultOrdering: ['name'],
  };
}
